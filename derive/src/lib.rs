//! selkie's procedural macros. Use them through the `selkie` crate: `#[selkie::root_task]`,
//! `#[selkie::test]`, `#[selkie::program]`.

#![warn(missing_docs)]

use proc_macro::TokenStream;
use quote::{quote, quote_spanned};
use syn::{spanned::Spanned, Error, ItemFn};

/// Parses an entry attribute's function and checks what both entry attributes require of it: no attribute
/// arguments, not `async`, not generic, at most one parameter. Returns the function and its parameter count.
fn parse_entry(attr: TokenStream, item: TokenStream, attribute: &str, what: &str) -> Result<(ItemFn, usize), Error> {
    let f: ItemFn = syn::parse(item)?;
    if !attr.is_empty() {
        let attr = proc_macro2::TokenStream::from(attr);
        return Err(Error::new_spanned(attr, format!("#[{attribute}] takes no arguments")));
    }
    let sig = &f.sig;
    if let Some(a) = &sig.asyncness {
        return Err(Error::new(
            a.span(),
            format!("{what} cannot be `async`: seL4 root tasks have no executor"),
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(Error::new(sig.generics.span(), format!("{what} cannot be generic")));
    }
    if sig.inputs.len() > 1 {
        return Err(Error::new(
            sig.inputs.span(),
            format!("{what} takes at most one parameter, the bootstrap token (`selkie::bootstrap::BootInfo`)"),
        ));
    }
    let arity = sig.inputs.len();
    Ok((f, arity))
}

/// The error, followed by the function as written, so that its imports and uses still resolve and the
/// attribute's error is the only one.
fn rejected(e: Error, original: proc_macro2::TokenStream) -> TokenStream {
    let e = e.to_compile_error();
    quote! { #e #original }.into()
}

/// The span of a function's return type (or its name, when it returns `()`), for errors about what it returns.
fn return_span(f: &ItemFn) -> proc_macro2::Span {
    match &f.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => f.sig.ident.span(),
    }
}

/// Marks the root task's `main`: the function the kernel's first thread runs.
///
/// `main` takes the bootstrap token, `selkie::bootstrap::BootInfo`, which hands over the root task's
/// resources exactly once (or no parameter), and returns `()` or `Result<(), E>` with `E: Display` (such as
/// `selkie::Error`). Returning ends the run: QEMU exits with success, or with failure after the `Err`'s
/// `Display` text is printed (`root task failed: <text>`).
///
/// ```ignore
/// #![no_std]
/// #![no_main]
///
/// #[selkie::root_task]
/// fn main(boot: selkie::bootstrap::BootInfo) {
///     selkie::println!("Hello from seL4!");
/// }
/// ```
#[proc_macro_attribute]
pub fn root_task(attr: TokenStream, item: TokenStream) -> TokenStream {
    let original = proc_macro2::TokenStream::from(item.clone());
    let (f, arity) = match parse_entry(attr, item, "selkie::root_task", "a root task's `main`") {
        Ok(parsed) => parsed,
        Err(e) => return rejected(e, original),
    };
    let name = &f.sig.ident;
    let (token, args) = if arity == 1 {
        let token = quote! {
            // SAFETY: the runtime calls this entry exactly once, with the bootinfo pointer the kernel passed.
            let boot = unsafe { ::selkie::bootstrap::BootInfo::from_raw(::selkie::rt::bootinfo_ptr()) };
        };
        (token, quote! { boot })
    } else {
        (quote! {}, quote! {})
    };
    // Spanned at the return type, so that a `main` returning something else is reported there.
    let report = quote_spanned! {return_span(&f)=> ::selkie::rt::Termination::report(result) };
    quote! {
        #f

        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub fn __selkie_main() -> bool {
            #token
            let result = #name(#args);
            #report
        }
    }
    .into()
}

/// Marks the `main` of a separately built program: an executable of its own, built for the bare-metal
/// target with the `selkie` crate's `program` feature, embedded in a root task and started as a child process.
///
/// `main` takes no parameter, or one reference `&P` to the parameters its parent placed in its address space
/// (the parent passes their address in the first argument register; `P` must be the type the parent
/// wrote there), and returns `()`. When it returns, the program's thread stops (see `selkie::rt`).
///
/// ```ignore
/// #![no_std]
/// #![no_main]
///
/// #[selkie::program]
/// fn main(params: &Params) {
///     // ...
/// }
/// ```
#[proc_macro_attribute]
pub fn program(attr: TokenStream, item: TokenStream) -> TokenStream {
    let original = proc_macro2::TokenStream::from(item.clone());
    let (f, _) = match parse_entry(attr, item, "selkie::program", "a program's `main`") {
        Ok(parsed) => parsed,
        Err(e) => return rejected(e, original),
    };
    let name = &f.sig.ident;
    let call = match f.sig.inputs.first() {
        None => quote! { #name() },
        Some(syn::FnArg::Typed(t)) if matches!(*t.ty, syn::Type::Reference(_)) => quote! {
            // SAFETY: the parent placed the program's parameters, of the type `main` takes, at this address,
            // mapped for the program's life, before starting it.
            #name(unsafe { &*(params as *const _) })
        },
        Some(other) => {
            let e = Error::new(
                other.span(),
                "a program's `main` takes no parameter or a reference to its parameters (`&Params`)",
            );
            return rejected(e, original);
        }
    };
    let unit = quote_spanned! {return_span(&f)=> let () = };
    quote! {
        #f

        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub fn __selkie_program_main(params: usize) {
            let _ = params;
            #unit #call;
        }
    }
    .into()
}

/// Marks an in-kernel test, run by the QEMU harness against the real kernel.
///
/// The function takes no parameter, or `&mut selkie::bootstrap::BootInfo` (the same token, lent to every test
/// of the image in order), or `selkie::bootstrap::BootInfo` by value (the test takes the root task's resources
/// for good; later tests of the image that need the token fail), and returns `()` or `Result<(), E>` with `E: Debug`; an `Err` or a panic fails the
/// test. A test image's root task is `selkie::test_main!()`. The test's name (`<image>::<function>`) is also
/// recorded in the image's `.selkie.tests` section, so the harness knows which tests to expect.
///
/// ```ignore
/// #[selkie::test]
/// fn yield_returns() {
///     unsafe { selkie::sys::yield_() };
/// }
/// ```
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let original = proc_macro2::TokenStream::from(item.clone());
    let (f, arity) = match parse_entry(attr, item, "selkie::test", "a `#[selkie::test]` function") {
        Ok(parsed) => parsed,
        Err(e) => return rejected(e, original),
    };
    let name = &f.sig.ident;
    // The runtime keeps the image's bootstrap token in an `Option`: a `&mut BootInfo` test borrows it, a
    // `BootInfo` test takes it (later tests that need it then fail by name).
    let passed = quote_spanned! {return_span(&f)=> ::selkie::test_rt::TestResult::passed };
    let by_value =
        matches!(f.sig.inputs.first(), Some(syn::FnArg::Typed(t)) if !matches!(*t.ty, syn::Type::Reference(_)));
    let run = match (arity, by_value) {
        (0, _) => quote! { |_, name| #passed(#name(), name) },
        (_, false) => quote! {
            |boot, name| match boot.as_mut() {
                ::core::option::Option::Some(boot) => #passed(#name(boot), name),
                ::core::option::Option::None => ::selkie::test_rt::token_gone(name),
            }
        },
        (_, true) => quote! {
            |boot, name| match boot.take() {
                ::core::option::Option::Some(boot) => #passed(#name(boot), name),
                ::core::option::Option::None => ::selkie::test_rt::token_gone(name),
            }
        },
    };
    quote! {
        #f

        const _: () = {
            const NAME: &str = ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name));
            #[unsafe(link_section = ".selkie.tests")]
            #[used]
            static NAME_BYTES: [u8; NAME.len() + 1] = ::selkie::test_rt::nul_terminated(NAME);
            #[unsafe(link_section = "selkie_test_cases")]
            #[used]
            static CASE: ::selkie::test_rt::TestCase = ::selkie::test_rt::TestCase {
                name: NAME,
                position: (::core::file!(), ::core::line!()),
                run: #run,
            };
        };
    }
    .into()
}

mod params;

/// `#[derive(ProcessParams)]` on a `#[repr(C)]` struct of capabilities (`Cap<_, Local>`) and plain data makes it
/// a process's parameters (`selkie::process::ProcessParams`): starting a process moves each capability into the
/// child's CSpace and copies the data; the child reads the struct, its capabilities `Local` there. The struct
/// must be `#[repr(C)]` and fit the 4 KiB parameter page (both checked at compile time); a field that is not a
/// capability or plain data (a reference, say) does not compile.
#[proc_macro_derive(ProcessParams)]
pub fn process_params(item: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(item as syn::DeriveInput);
    params::expand(input).into()
}
