//! `cargo test` entry for the in-kernel tests: builds `qemu-tests/images`, boots every image on the real
//! seL4 kernel in QEMU, and reports each `#[selkie::test]` as its own test.

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let config = match selkie_kernel::Config::load(&selkie_qemu_tests::config_path()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match selkie_qemu_tests::run_suite("selkie-qemu-images", config, &args) {
        Ok(conclusion) => conclusion.exit(),
        Err(e) => {
            eprintln!("error: the in-kernel test images could not be built: {e}");
            std::process::exit(101);
        }
    }
}
