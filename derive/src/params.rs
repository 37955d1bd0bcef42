//! `#[derive(ProcessParams)]`: the conversion of a process's parameter struct into the child's view.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// Expands the derive (see `selkie_derive::ProcessParams`).
pub fn expand(input: DeriveInput) -> TokenStream {
    let name = &input.ident;
    let repr_c = input.attrs.iter().any(|a| {
        a.path().is_ident("repr")
            && a.parse_nested_meta(|m| {
                if m.path.is_ident("C") {
                    Err(m.error("found"))
                } else {
                    Ok(())
                }
            })
            .is_err()
    });
    if !repr_c {
        return syn::Error::new(
            name.span(),
            "process parameters must be `#[repr(C)]`: the child reads them with the same layout at a known address",
        )
        .to_compile_error();
    }
    // At most one type parameter: the scope of the caller's capabilities (`S: Scope = Forever`); the child's
    // view has it `Forever`.
    let scope = match input.generics.params.iter().collect::<Vec<_>>().as_slice() {
        [] => None,
        [syn::GenericParam::Type(t)] => Some(t.ident.clone()),
        _ => {
            return syn::Error::new(
                input.generics.span(),
                "process parameters take at most one type parameter: the scope of the caller's capabilities \
                 (`S: selkie::Scope = selkie::Forever`)",
            )
            .to_compile_error();
        }
    };
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        _ => {
            return syn::Error::new(name.span(), "process parameters must be a struct").to_compile_error();
        }
    };
    let placed = fields.iter().enumerate().map(|(i, f)| {
        let member = match &f.ident {
            Some(id) => quote!(#id),
            None => {
                let index = syn::Index::from(i);
                quote!(#index)
            }
        };
        let ty = &f.ty;
        quote_spanned! {ty.span()=>
            #member: ::selkie::process::place_field::<__B, __S, #ty>(self.#member, slots)?
        }
    });
    // Each field's type must be a parameter field for this child: a channel end, for one, is one only for the
    // child it was set up for, so the impl holds only for the brands every field accepts. References and
    // pointers are never parameter fields: they are checked here, at the struct, not where it is used.
    let bounds = fields.iter().filter_map(|f| {
        let ty = &f.ty;
        match ty {
            syn::Type::Reference(_) | syn::Type::Ptr(_) => None,
            _ => {
                // The child's view of the field: its type with the caller's scope replaced by `Forever`.
                let view_ty = match &scope {
                    Some(s) => forever(quote!(#ty), s),
                    None => quote!(#ty),
                };
                Some(quote_spanned! {ty.span()=> #ty: ::selkie::process::ParamField<__B, View = #view_ty>})
            }
        }
    });
    let view = match &scope {
        Some(_) => quote!(#name<::selkie::Forever>),
        None => quote!(#name),
    };
    let body = match fields {
        Fields::Unit => quote!(#name),
        _ => quote!(#name { #(#placed,)* }),
    };
    let (this, params) = match &scope {
        Some(s) => (quote!(#name<#s>), quote!(, #s: ::selkie::Scope)),
        None => (quote!(#name), quote!()),
    };
    quote! {
        const _: () = ::core::assert!(
            ::selkie::process::params_fit::<#view>(),
            "process parameters must fit the 4 KiB parameter page"
        );
        // SAFETY: every field is placed by its `ParamField` impl: capabilities are moved into the child's CSpace
        // (the view holds their addresses there), plain data is copied.
        unsafe impl<__B: ::selkie::process::Brand #params> ::selkie::process::ProcessParams<__B> for #this
        where
            #(#bounds,)*
        {
            type View = #view;
            // Placing is a call per capability field: inlined into the caller, so no copy of it is compiled
            // per child brand.
            #[inline(always)]
            fn place<__S: ::selkie::Scope>(
                self,
                slots: &mut ::selkie::process::ChildSlots<'_, __B, __S>,
            ) -> ::core::result::Result<#view, ::selkie::Error> {
                ::core::result::Result::Ok(#body)
            }
        }
    }
}

/// `tokens` with every occurrence of the scope parameter `scope` replaced by `::selkie::Forever`.
fn forever(tokens: TokenStream, scope: &syn::Ident) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Ident(ref id) if id == scope => quote!(::selkie::Forever),
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), forever(g.stream(), scope));
                inner.set_span(g.span());
                TokenTree::Group(inner).into()
            }
            other => other.into(),
        })
        .collect()
}
