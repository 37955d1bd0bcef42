//! selkie's compile-fail suites live in `tests/`: each case is a small program that misuses the typed API and
//! must be rejected by the compiler with a readable first line. This library is empty.
#![no_std]
