//! Processes: a child with its own address space, CSpace, thread and fault endpoint, built from memory and
//! slots the caller hands over, its code from a [`CodeSource`].

// The builder that uses every part of the loader comes next.
#[allow(dead_code)]
mod loader;

pub use loader::{CodeSource, Entry, Loader, Perms, MAX_FRESH_PAGES, PAGE_SIZE};
