//! `cargo test` entry for the in-kernel tests: builds `qemu-tests/images` for x86_64 and for aarch32, boots
//! every image on the real seL4 kernel in QEMU, and reports each `#[selkie::test]` as its own test, once per
//! architecture (the aarch32 ones labelled `[aarch32]`).

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let arches = [selkie_qemu_tests::X86_64, selkie_qemu_tests::AARCH32];
    match selkie_qemu_tests::run_suite(&arches, &args) {
        Ok(conclusion) => conclusion.exit(),
        Err(e) => {
            eprintln!("error: the in-kernel test images could not be built: {e}");
            std::process::exit(101);
        }
    }
}
