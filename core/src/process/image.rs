//! Code source 1: a function of the root task's own image. The image's text and read-only data are shared
//! with the child (copies of the root task's frame capabilities, mapped read-only at the same addresses);
//! its data and bss are copied into fresh pages (data from the root task's data segment as it is when the
//! process is built, bss zero), mapped read-write.

use selkie_sys as sys;

use super::loader::{CodeSource, Entry, Loader, PageInit, Perms, PAGE_SIZE};
use crate::bootstrap::BootInfo;
use crate::Error;

/// Where the root task's image starts (the link script's base; each architecture says where).
pub use crate::arch::IMAGE_BASE;

extern "C" {
    static __selkie_data_start: u8;
    static __selkie_bss_start: u8;
    static __selkie_image_end: u8;
}

/// The root task's image: its frame capabilities (from bootinfo, in image order from [`IMAGE_BASE`]) and its
/// segment boundaries (from the link script).
#[derive(Debug, Clone, Copy)]
pub struct RootImage {
    first_frame: sys::CPtr,
    frames: usize,
    data_start: usize,
    bss_start: usize,
    end: usize,
}

impl RootImage {
    /// The root task's image, as bootinfo describes it.
    pub fn new(boot: &BootInfo) -> RootImage {
        let raw = boot.raw();
        let frames = raw.user_image_frames;
        // Only the addresses of the link script's symbols are taken.
        let (data_start, bss_start, end) = (
            core::ptr::addr_of!(__selkie_data_start) as usize,
            core::ptr::addr_of!(__selkie_bss_start) as usize,
            core::ptr::addr_of!(__selkie_image_end) as usize,
        );
        RootImage {
            first_frame: frames.start,
            frames: (frames.end - frames.start) as usize,
            data_start,
            bss_start,
            end,
        }
    }

    /// How many 4 KiB pages of the image are shared read-only (text and read-only data).
    pub fn shared_pages(&self) -> usize {
        (self.data_start - IMAGE_BASE as usize) / PAGE_SIZE
    }

    /// How many pages of the image are copied (data and bss).
    pub fn copied_pages(&self) -> usize {
        (self.end.next_multiple_of(PAGE_SIZE) - self.data_start) / PAGE_SIZE
    }
}

/// A function of the root task's image as a process's code: the child runs `f(params)`; when `f` returns,
/// its supervisor receives [`Fault::Exited { code: 0 }`](crate::Fault::Exited), and when it panics,
/// [`Fault::Panicked`](crate::Fault::Panicked) (see [`rt::child`](crate::rt::child)); the child then stays
/// blocked.
#[derive(Debug)]
pub struct ImageFunction<P> {
    image: RootImage,
    f: ChildFn<P>,
}

/// The function a child runs: one that returns, or one that never does.
#[derive(Debug)]
enum ChildFn<P> {
    Returns(fn(P)),
    Diverges(fn(P) -> !),
}

impl<P> ImageFunction<P> {
    /// `f` of `image`, taking parameters `P`.
    pub fn new(image: &RootImage, f: fn(P)) -> Self {
        ImageFunction {
            image: *image,
            f: ChildFn::Returns(f),
        }
    }

    /// `f` of `image`, a function that never returns (a server's loop, say: it ends the child with
    /// [`exit_child`](crate::rt::child::exit_child), a panic or a fault, or runs until torn down).
    pub fn never_returns(image: &RootImage, f: fn(P) -> !) -> Self {
        ImageFunction {
            image: *image,
            f: ChildFn::Diverges(f),
        }
    }
}

/// The first instruction of a child running a function of the image: reads its parameters and calls `f`.
extern "C" fn image_entry<P>(params: *const P, f: usize) -> ! {
    // This copy of the image's data and bss is the child's own: a panic from here on is the child's.
    crate::rt::child::mark_child();
    // SAFETY: `ImageFunction::load` put `fn(P)` for this `P` in the second argument register.
    let f: fn(P) = unsafe { core::mem::transmute::<usize, fn(P)>(f) };
    // SAFETY: the process wrote a `P` (the child's view) at `params`, a read-only page aligned to 4 KiB.
    let params = unsafe { params.read() };
    f(params);
    crate::rt::child::exit_child(0)
}

/// [`image_entry`] for a function that never returns.
extern "C" fn image_entry_diverging<P>(params: *const P, f: usize) -> ! {
    crate::rt::child::mark_child();
    // SAFETY: `ImageFunction::load` put `fn(P) -> !` for this `P` in the second argument register.
    let f: fn(P) -> ! = unsafe { core::mem::transmute::<usize, fn(P) -> !>(f) };
    // SAFETY: as in `image_entry`.
    let params = unsafe { params.read() };
    f(params)
}

impl<P, V: super::SameParams<P>> super::TakesParams<V> for ImageFunction<P> {}

impl<P> CodeSource for ImageFunction<P> {
    fn load<S: crate::Scope>(&self, loader: &mut Loader<'_, S>) -> Result<Entry, Error> {
        let img = &self.image;
        let shared = img.shared_pages();
        if shared + img.copied_pages() > img.frames {
            return Err(Error::FrameIndexOutOfRange {
                index: shared + img.copied_pages(),
                frames: img.frames,
            });
        }
        for i in 0..shared {
            let vaddr = IMAGE_BASE + (i * PAGE_SIZE) as sys::Word;
            loader.map_shared(img.first_frame + i as sys::Word, vaddr)?;
        }
        for i in 0..img.copied_pages() {
            let page = img.data_start + i * PAGE_SIZE;
            let data = img.bss_start.saturating_sub(page).min(PAGE_SIZE);
            let init = PageInit::RootMemory { addr: page, len: data };
            loader.map_fresh_init(page as sys::Word, Perms::RW, init)?;
        }
        let (entry, f): (extern "C" fn(*const P, usize) -> !, usize) = match self.f {
            ChildFn::Returns(f) => (image_entry::<P>, f as usize),
            ChildFn::Diverges(f) => (image_entry_diverging::<P>, f as usize),
        };
        Ok(Entry {
            pc: entry as usize as sys::Word,
            arg: f as sys::Word,
        })
    }
}
