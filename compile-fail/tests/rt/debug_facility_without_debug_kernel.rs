//! The kernel's debug facilities exist only in kernels configured with `debug_build = true`. With a release
//! kernel, `selkie::rt::debug::KERNEL` is a `KernelDebug<false>` (`ThisKernel`), and using a facility on it is
//! a compile error saying so; this case names that type directly, so the suite needs no release build.
fn main() {
    let release_kernel = selkie::rt::debug::KernelDebug::<false>;
    let _tag = release_kernel.cap_identify(1);
}
