mod common;
#[test]
fn dump() {
    let src = selkie_sys_gen::generate(
        &common::kernel_root(),
        &selkie_sys_gen::Target::aarch32(),
        &common::aarch32_config(),
    )
    .unwrap();
    std::fs::write("/tmp/a32.rs", src).unwrap();
}
