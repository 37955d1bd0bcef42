//! The per-architecture entry point. Only the architecture's own file knows its registers.

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
