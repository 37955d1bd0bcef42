//! Prints the bindings generated for a kernel tree with its default configuration:
//! `cargo run -p selkie-sys-gen --example dump -- <seL4 dir>`.

fn main() {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: dump <path to the seL4 kernel tree>");
        std::process::exit(2);
    };
    let config = selkie_kernel::KernelConfig::default().defines();
    match selkie_sys_gen::generate(std::path::Path::new(&root), &selkie_sys_gen::Target::x86_64(), &config) {
        Ok(src) => print!("{src}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
