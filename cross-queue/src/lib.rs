//! `cross-queue`: a lock-free queue that lives in a shared memory region mapped at different addresses in
//! different address spaces.
//!
//! Not written yet: this crate holds the place the workspace layout gives it. It has no API so far.
#![no_std]
