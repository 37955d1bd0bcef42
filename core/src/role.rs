//! Roles and scopes: which CSpace a capability's address is valid in, and for how long.
//!
//! A role says where an address means something: [`Local`] (the caller's own CSpace, so the caller can invoke
//! it) or [`Child`] (a child's CSpace). Each role carries a [`Scope`] that says how long the token may live:
//! [`Forever`] for the tokens a program owns, or [`Lent<'s>`](Lent) for tokens made from resources a temporary
//! scope ([`Cap::with_temporary`](crate::Cap::with_temporary), [`BootInfo::lend`](crate::bootstrap::BootInfo::lend))
//! lends out and takes back. `'s` exists only inside that scope's closure, so no variable or value outside it can
//! hold a `Lent<'s>` token: what the scope revokes when it ends cannot be used afterwards.
//!
//! Plain `Local` and `Child` mean `Local<Forever>` and `Child<Forever>`.

use core::marker::PhantomData;

use crate::sealed::Sealed;

/// How long a capability token may live: [`Forever`] or [`Lent<'s>`](Lent).
pub trait Scope: Sealed {
    /// The role of the tokens a scope hands out for capabilities whose slots it does not own: the root task's
    /// own capabilities and the memory of [`Resources`](crate::bootstrap::Resources), the memory lent by
    /// [`Cap::with_temporary`](crate::Cap::with_temporary). [`Local`] for [`Forever`] (the owner may do
    /// anything with them), [`Borrowed`] for [`Lent`] (usable, but their slots stay the lender's).
    type Root: Invocable + Role<Scope = Self>;
}

/// The scope of tokens a program owns outright: they live as long as it keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Forever;

/// The scope of tokens made from resources lent to a temporary scope: `'s` is the scope's own lifetime, which
/// only its closure can name, so such tokens cannot leave it.
///
/// `'s` is invariant: a `Lent<'a>` token is never accepted where a `Lent<'b>` one is expected, so tokens of two
/// nested scopes cannot be mixed up either.
pub struct Lent<'s>(PhantomData<fn(&'s ()) -> &'s ()>);

/// The scope of a closed temporary scope ([`Cap::with_closed`](crate::Cap::with_closed)): like [`Lent<'s>`](Lent),
/// its tokens cannot leave the closure; unlike it, nothing from outside may come in either. Its slots can only
/// ever hold capabilities made from the memory the scope lent (and copies of them), which is why revoking that
/// memory alone empties them.
///
/// `'s` is invariant, as in [`Lent`]. [`Forever`] does not flow into it ([`ScopeFlowsInto`]): copying, minting
/// or moving a capability of the program's into a closed scope's slot, retyping memory from outside into one, or
/// receiving a capability into one does not compile.
pub struct Closed<'s>(PhantomData<fn(&'s ()) -> &'s ()>);

impl Sealed for Forever {}
impl Sealed for Lent<'_> {}
impl Sealed for Closed<'_> {}
impl Scope for Forever {
    type Root = Local<Forever>;
}
impl<'s> Scope for Lent<'s> {
    type Root = Borrowed<Lent<'s>>;
}
impl<'s> Scope for Closed<'s> {
    type Root = Borrowed<Closed<'s>>;
}

impl core::fmt::Debug for Closed<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Closed")
    }
}

impl core::fmt::Debug for Lent<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Lent")
    }
}

/// Which CSpace a capability's address is valid in ([`Local`] or [`Child`]), and its [`Scope`].
pub trait Role: Sealed {
    /// How long tokens of this role may live.
    type Scope: Scope;
}

/// The caller's own CSpace: the capability can be invoked directly. `S` is the token's [`Scope`].
pub struct Local<S = Forever>(PhantomData<S>);

/// A child's CSpace: the capability's address means something only to the child, so the parent cannot invoke
/// it; it can only hand it over when it sets the child up. `S` is the token's [`Scope`].
pub struct Child<S = Forever>(PhantomData<S>);

/// The CSpace of one particular child process, named by its brand `B` (a type made with
/// [`child_brand!`](crate::child_brand)): a capability placed there is the child's, and the parent can only
/// take it back from that same child. A capability of child `A`'s cannot be given to child `B` or deleted
/// from `B`'s CSpace: their roles differ, and that does not compile. `S` is the token's [`Scope`].
pub struct ChildOf<B, S = Forever>(PhantomData<(Invariant<B>, S)>);

/// Makes a brand parameter invariant.
type Invariant<B> = fn(B) -> B;

/// The caller's own CSpace, for a capability whose slot a temporary scope only lent: the memory
/// [`Cap::with_temporary`](crate::Cap::with_temporary) lends, and the root task's capabilities and memory in
/// [`BootInfo::lend`](crate::bootstrap::BootInfo::lend). It can be invoked, retyped and copied like a [`Local`]
/// one, but not deleted, moved or mutated ([`OwnsSlot`]): its slot must still hold it when the scope gives it
/// back.
pub struct Borrowed<S>(PhantomData<S>);

impl<S: Scope> Sealed for Local<S> {}
impl<S: Scope> Sealed for Child<S> {}
impl<S: Scope> Sealed for Borrowed<S> {}
impl<B: 'static, S: Scope> Sealed for ChildOf<B, S> {}
impl<B: 'static, S: Scope> Role for ChildOf<B, S> {
    type Scope = S;
}
impl<B: 'static, S: Scope> OwnsSlot for ChildOf<B, S> {}

/// `A: SameChild<B>`: brands `A` and `B` name the same child. Only `B: SameChild<B>` holds.
#[diagnostic::on_unimplemented(
    message = "this capability is in another child's CSpace",
    label = "the capability belongs to child `{Self}`, not to child `{B}`",
    note = "each child process's CSpace has its own brand; a capability placed in one child's CSpace can only be \
            used with that child"
)]
pub trait SameChild<B> {}
impl<B> SameChild<B> for B {}
impl<S: Scope> Role for Local<S> {
    type Scope = S;
}
impl<S: Scope> Role for Child<S> {
    type Scope = S;
}
impl<S: Scope> Role for Borrowed<S> {
    type Scope = S;
}

/// A role whose capabilities the caller may invoke: [`Local`] and [`Borrowed`], in any scope.
#[diagnostic::on_unimplemented(
    message = "a `Child` capability cannot be invoked by the parent",
    label = "this capability's address is only valid in a child's CSpace",
    note = "only `Cap<_, Local>` can be invoked; a `Child` capability is for handing to the child"
)]
pub trait Invocable: Role {}

impl<S: Scope> Invocable for Local<S> {}
impl<S: Scope> Invocable for Borrowed<S> {}

/// A role whose holder owns the capability's slot, so it may empty it: delete, move and mutate need it
/// (besides [`Invocable`]). [`Local`] and [`Child`] are; [`Borrowed`] is not.
#[diagnostic::on_unimplemented(
    message = "this capability's slot is only lent to the scope: it cannot be deleted, moved or mutated",
    label = "the temporary scope must give this slot back holding the same capability",
    note = "the memory a temporary scope lends and the root task's own capabilities in `BootInfo::lend` can be \
            used (invoked, retyped, copied), but their slots stay the lender's"
)]
pub trait OwnsSlot: Role {}
impl<S: Scope> OwnsSlot for Local<S> {}
impl<S: Scope> OwnsSlot for Child<S> {}

/// `From: ScopeFlowsInto<To>`: something whose validity depends on a token of scope `From` may be kept by a
/// token of scope `To`. [`Forever`] flows into every scope; [`Lent<'s>`](Lent) only into the same `Lent<'s>`.
#[diagnostic::on_unimplemented(
    message = "a capability cannot cross a temporary scope's boundary here",
    label = "this would keep something made from lent memory or slots outside their scope, or bring something \
             from outside into a closed scope",
    note = "a temporary scope revokes everything made from what it lent when it ends, so what it makes stays in \
            the slots it lent (the closure's own slots); a closed scope (`with_closed`) takes in nothing from \
            outside either"
)]
pub trait ScopeFlowsInto<To: Scope>: Scope {}
/// Every scope flows into itself (so generic code over one scope needs no bound).
impl<S: Scope> ScopeFlowsInto<S> for S {}
/// What the program owns may go into a temporary scope's slots (not into a [`Closed`] scope's).
impl<'s> ScopeFlowsInto<Lent<'s>> for Forever {}

/// `R: FlowsInto<R2>`: a capability made from (or moved out of) a token of role `R` may be placed in a slot of
/// role `R2`. This is the one rule every operation whose result depends on a source follows (retype, split,
/// copy, mint, move, mutate): the destination's scope must accept the source's.
#[diagnostic::on_unimplemented(
    message = "a capability cannot cross a temporary scope's boundary here",
    label = "the destination slot is outside the scope that lent the source, or in a closed scope the source \
             is not from",
    note = "a temporary scope revokes everything made from what it lent when it ends, so what it makes stays in \
            the slots it lent (the closure's own slots); a closed scope (`with_closed`) takes in nothing from \
            outside either: its slots hold only what is made from its own memory"
)]
pub trait FlowsInto<R2: Role>: Role {}
#[diagnostic::do_not_recommend]
impl<R: Role, R2: Role> FlowsInto<R2> for R where R::Scope: ScopeFlowsInto<R2::Scope> {}
