//! Typed parameters of a process: a `#[repr(C)]` struct deriving [`ProcessParams`] (with
//! `#[derive(selkie::ProcessParams)]`), whose capabilities are moved into the child's CSpace and whose plain
//! data is copied; the child finds it at [`PARAMS_ADDR`](super::PARAMS_ADDR), its capabilities `Local` there.

use core::marker::PhantomData;

use arrayvec::ArrayVec;
use selkie_sys as sys;

use super::loader::Loader;
use super::{Brand, CHILD_CNODE_RADIX, MAX_PARAM_CAPS};
use crate::object::{CapType, WORD_DEPTH};
use crate::role::{Local, Scope};
use crate::{Cap, Error, Operation};

/// The slots of one child's CSpace that parameters are moved into. Only a process being built makes one,
/// so only it can place parameters.
pub struct ChildSlots<'a, B, S: Scope> {
    pub(crate) cnode: sys::CPtr,
    pub(crate) root_cspace: sys::CPtr,
    pub(crate) next: sys::CPtr,
    pub(crate) vacated: &'a mut ArrayVec<sys::CPtr, MAX_PARAM_CAPS>,
    /// The child's address space and the process's memory, for parameters that map memory in the child
    /// (a queue end's region).
    pub(crate) loader: Loader<'a, S>,
    /// The next address of the child's grant window (see [`GRANT_BASE`](super::GRANT_BASE)).
    pub(crate) next_grant: &'a mut sys::Word,
    pub(crate) brand: PhantomData<B>,
    pub(crate) scope: PhantomData<S>,
}

impl<B, S: Scope> ChildSlots<'_, B, S> {
    /// Calls `f` with these slots branded `B2` (the brand is only a type: the slots are the same).
    #[inline(always)]
    pub(crate) fn with_brand<B2, O>(&mut self, f: impl FnOnce(&mut ChildSlots<'_, B2, S>) -> O) -> O {
        let mut slots = ChildSlots {
            cnode: self.cnode,
            root_cspace: self.root_cspace,
            next: self.next,
            vacated: &mut *self.vacated,
            loader: Loader {
                mem: self.loader.mem,
                slots: &mut *self.loader.slots,
                cspace: self.loader.cspace,
                vspace: &mut *self.loader.vspace,
                scratch: self.loader.scratch,
                fresh: &mut *self.loader.fresh,
            },
            next_grant: &mut *self.next_grant,
            brand: PhantomData,
            scope: PhantomData,
        };
        let out = f(&mut slots);
        self.next = slots.next;
        out
    }
}

impl<B, S: Scope> core::fmt::Debug for ChildSlots<'_, B, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChildSlots").field("next", &self.next).finish()
    }
}

/// `P: ProcessParams<B>`: `P` can be the parameters of child `B`. Derive it (`#[derive(ProcessParams)]` on
/// a `#[repr(C)]` struct whose fields are capabilities of the caller's or plain data); the derive checks the
/// layout and that the struct fits the parameter page, and writes [`place`](Self::place).
///
/// # Safety
///
/// `place` returns the child's view of the parameters: every capability in it names a slot of the child's
/// CSpace holding that capability, and the value is plain data otherwise (it is copied into the child).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a process parameter struct",
    label = "a child's parameters are a struct deriving `ProcessParams`",
    note = "a capability of the caller's (`Local`) is only valid in the caller's CSpace: put it in a \
            `#[derive(ProcessParams)]` `#[repr(C)]` struct, which moves it into the child's CSpace"
)]
pub unsafe trait ProcessParams<B: Brand>: Sized {
    /// The child's view: the same struct, its capabilities `Local` (of scope [`Forever`](crate::Forever))
    /// in the child's CSpace.
    type View;
    /// Moves the capabilities into the child's CSpace; returns the child's view.
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error>;
}

// SAFETY: no capabilities, nothing to place.
unsafe impl<B: Brand> ProcessParams<B> for () {
    type View = ();
    fn place<S: Scope>(self, _: &mut ChildSlots<'_, B, S>) -> Result<(), Error> {
        Ok(())
    }
}

/// `C: TakesParams<V>`: code source `C` expects parameters whose child's view is `V`.
#[diagnostic::on_unimplemented(
    message = "this code takes different parameters",
    label = "the process's function or program expects parameters of another type",
    note = "an `ImageFunction<P>` runs `fn(P)` and an `ElfProgram<P>` a `main` taking `&P`: pass parameters \
            whose child's view is `P`"
)]
pub trait TakesParams<V> {}

/// `V: SameParams<P>`: `V` and `P` are the same parameter type.
#[diagnostic::on_unimplemented(
    message = "this code takes different parameters",
    label = "the process's code takes `{P}`, the parameters given are `{Self}` in the child",
    note = "an `ImageFunction<P>` runs `fn(P)` and an `ElfProgram<P>` a `main` taking `&P`: pass parameters \
            whose child's view is `P`"
)]
pub trait SameParams<P> {}
impl<P> SameParams<P> for P {}

/// One field of a parameter struct: a capability of the caller's (moved into the child's CSpace, where it
/// is the child's `Local` one) or plain data ([`Plain`], copied).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of this process's parameters",
    label = "a parameter field is plain data, a capability of the caller's, or something set up for this child",
    note = "references and pointers name the caller's memory, which the child cannot see; give the child a \
            capability or a value",
    note = "a channel end set up for another process (`Between<Client, Server>`, or `Threads`) is not a \
            parameter of this child: it belongs to the process named in its type"
)]
pub trait ParamField<B: Brand>: Sized {
    /// The field in the child's view.
    type View;
    /// Places the field in the child: returns the child's view of it.
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error>;
}

/// Plain data a process parameter may hold: copied as it is.
///
/// # Safety
///
/// The type holds no references, pointers or capabilities: its bytes mean the same in the child.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a process's parameters",
    label = "a parameter field is a capability of the caller's or plain data",
    note = "references and pointers name the caller's memory, which the child cannot see; give the child a \
            capability or a value"
)]
pub unsafe trait Plain: Copy {}

macro_rules! plain {
    ($($t:ty),*) => {$(
        // SAFETY: a number or a bool means the same in any address space.
        unsafe impl Plain for $t {}
    )*};
}
plain!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, bool, char);
// SAFETY: an array of plain data is plain data.
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {}

// Not recommended in errors: a field that is not a parameter of the child it is given to (a channel end set up
// for another child, say) is reported as that, not as a type that is not plain data.
#[diagnostic::do_not_recommend]
impl<B: Brand, T: Plain> ParamField<B> for T {
    type View = T;
    #[inline(always)]
    fn place<S: Scope>(self, _: &mut ChildSlots<'_, B, S>) -> Result<T, Error> {
        Ok(self)
    }
}

impl<B: Brand, T: CapType, S0: Scope> ParamField<B> for Cap<T, Local<S0>> {
    type View = Cap<T, Local>;
    // A one-line shim over the brand-independent `move_into_child`: placing a capability compiles to one call,
    // not to one copy of the placement per child brand.
    #[inline(always)]
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Cap<T, Local>, Error> {
        let index = move_into_child(
            slots.cnode,
            slots.root_cspace,
            &mut slots.next,
            slots.vacated,
            self.cptr(),
        )?;
        let (_, object) = self.into_parts();
        Ok(Cap::new(index, object))
    }
}

/// Moves the caller's capability `cptr` (in `root_cspace`) into slot `*next` of the child's CNode `cnode`,
/// advances `*next` and records `cptr` in `vacated`; returns the child's slot. On an error nothing moved.
#[inline(never)]
fn move_into_child(
    cnode: sys::CPtr,
    root_cspace: sys::CPtr,
    next: &mut sys::CPtr,
    vacated: &mut ArrayVec<sys::CPtr, MAX_PARAM_CAPS>,
    cptr: sys::CPtr,
) -> Result<sys::CPtr, Error> {
    if *next >= 1 << CHILD_CNODE_RADIX || vacated.is_full() {
        return Err(Error::SlotsExhausted {
            requested: 1,
            available: 0,
        });
    }
    let index = *next;
    crate::object::invoke(Operation::CNodeMove, (), |()| {
        // SAFETY: moves a capability the caller's token owns (the token is consumed by the caller on success)
        // into an empty slot of the child's CNode; the kernel checks both.
        unsafe { sys::cnode_move(cnode, index, CHILD_CNODE_RADIX, root_cspace, cptr, WORD_DEPTH) }
    })
    .map_err(|r| r.error)?;
    *next += 1;
    vacated.push(cptr);
    Ok(index)
}

/// Places one field (what the derive calls for each field).
#[doc(hidden)]
#[inline(always)]
pub fn place_field<B: Brand, S: Scope, F: ParamField<B>>(
    field: F,
    slots: &mut ChildSlots<'_, B, S>,
) -> Result<F::View, Error> {
    field.place(slots)
}
