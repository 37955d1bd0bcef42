//! A capability made in a temporary scope cannot leave it inside the closure's error value: the error type is
//! chosen outside the scope, so it cannot hold the scope's tokens.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlots, Cap, Endpoint, Error, LocalCNode, Untyped};

enum MyErr {
    Selkie(Error),
    Smuggled(Cap<Endpoint>),
}

impl From<Error> for MyErr {
    fn from(e: Error) -> Self {
        MyErr::Selkie(e)
    }
}

fn demo(ut: &mut Cap<Untyped<U12>>, cspace: &Cap<LocalCNode>, slots: &mut CNodeSlots<U1>) -> Result<(), MyErr> {
    ut.with_temporary(cspace, slots, |mem, slots| {
        let ep = mem.retype::<Endpoint, _>(slots).map_err(|r| MyErr::Selkie(r.error))?;
        Err(MyErr::Smuggled(ep))
    })
}

fn main() {}
