//! `smart_alloc!`: write straight-line code that uses CNode slots and untyped memory while the macro splits
//! each use off a pool, with the sizes picked by type inference. Use it as `selkie::smart_alloc!`; the
//! macro's own documentation says how it works.

use proc_macro::TokenStream;

mod expand;

/// `smart_alloc!`: write straight-line code that uses CNode slots and untyped memory while the macro splits
/// each use off a pool, with the sizes picked by type inference.
///
/// ```ignore
/// use selkie::smart_alloc;
///
/// let slots = res.slots.alloc::<U16>()?;
/// smart_alloc!(|slot from slots, mem from &mut res.untyped| {
///     let tcb: Cap<Tcb> = mem::<U11>.retype(slot)?;       // one slot (inferred) and 2^11 bytes
///     let ep: Cap<Endpoint> = mem::<U4>.retype(slot)?;
///     let (a, b) = mem::<U16>.split(slot)?;               // `split` takes two slots: inferred
/// });
/// // `slots` is now the pool less the four slots the body took: `CNodeSlots<U12>`.
/// ```
///
/// Each `name from pool` declares a resource. Wherever `name` appears as an expression in the body, the
/// macro takes a fresh piece from `pool` just before the statement that contains it:
///
/// - `name from pool`, where `pool` is a variable holding a pool that is split by value (such as
///   `CNodeSlots<N>`): `let (piece, pool) = pool.alloc();`. The count of the piece is inferred from its use,
///   and `pool` is rebound to the rest, so after the macro it has the remaining count in its type.
/// - `name from &mut place`, for a pool checked at run time (a `CNodeSlots<Runtime>`, the
///   `UntypedAllocator`): `let piece = place.alloc()?;`, so the enclosing function must return a `Result`
///   whose error converts from the pool's.
///
/// `name::<T>` passes `T` to `alloc` explicitly. Slot counts are always inferred, since each operation takes
/// an exact count; untyped sizes are inferred only where a use pins them (an object needs *at least* its
/// size, so `retype` alone does not), otherwise write them: `mem::<U12>`. The rewrite is hygienic: only expression-position uses of
/// the names (including struct-field shorthand `S { name }`) are replaced. Field accesses (`x.name`), method
/// names (`x.name()`), paths (`m::name`), other macros' arguments and everything else stay as written. A
/// body that binds one of the names itself (`let name = ...`) is rejected, since later uses would be
/// ambiguous. The macro expands to plain statements, so bindings made in the body stay in scope after it.
#[proc_macro]
pub fn smart_alloc(input: TokenStream) -> TokenStream {
    match expand::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}
