//! Each boot resource is handed over once; moving it out twice does not compile.
use selkie::bootstrap::Resources;

fn demo(res: Resources) {
    let _mine = res.tcb;
    let _again = res.tcb;
}

fn main() {}
