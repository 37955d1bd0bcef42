//! Parsing `smart_alloc!`'s input and rewriting its body.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{braced, Expr, ExprPath, FieldValue, Ident, PathArguments, Stmt, Token};

/// `name from pool` or `name from &mut place`.
struct Resource {
    name: Ident,
    pool: Pool,
}

/// Where a resource's pieces come from.
enum Pool {
    /// A variable holding a pool split by value: `let (piece, pool) = pool.alloc();`.
    ByValue(Ident),
    /// A place holding a pool checked at run time: `let piece = place.alloc()?;`.
    Checked(Expr),
}

/// The whole input: `|resources| { statements }`.
struct Input {
    resources: Vec<Resource>,
    body: Vec<Stmt>,
}

mod kw {
    syn::custom_keyword!(from);
}

/// The tokens up to the next top-level `,` or `|`: a pool expression (which may itself not contain `|`).
fn pool_tokens(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) && !input.peek(Token![|]) {
        tokens.extend(std::iter::once(input.parse::<proc_macro2::TokenTree>()?));
    }
    if tokens.is_empty() {
        return Err(input.error("expected a pool after `from`"));
    }
    Ok(tokens)
}

impl Parse for Resource {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        input.parse::<kw::from>()?;
        let pool = if input.peek(Token![&]) {
            input.parse::<Token![&]>()?;
            input.parse::<Token![mut]>()?;
            Pool::Checked(syn::parse2(pool_tokens(input)?)?)
        } else {
            let tokens = pool_tokens(input)?;
            let pool: Ident = syn::parse2(tokens.clone()).map_err(|_| {
                syn::Error::new_spanned(
                    tokens,
                    "a pool split by value must be a variable (it is rebound to the rest); \
                     write `&mut place` for a pool checked at run time",
                )
            })?;
            Pool::ByValue(pool)
        };
        Ok(Resource { name, pool })
    }
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.parse::<Token![|]>()?;
        let mut resources = Punctuated::<Resource, Token![,]>::new();
        while !input.peek(Token![|]) {
            resources.push_value(input.parse()?);
            if input.peek(Token![|]) {
                break;
            }
            resources.push_punct(input.parse()?);
        }
        input.parse::<Token![|]>()?;
        let content;
        braced!(content in input);
        let body = content.call(syn::Block::parse_within)?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the body"));
        }
        let resources: Vec<Resource> = resources.into_iter().collect();
        if resources.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "name at least one resource: `|slot from slots| { ... }`",
            ));
        }
        for (i, r) in resources.iter().enumerate() {
            if resources[..i].iter().any(|o| o.name == r.name) {
                return Err(syn::Error::new(r.name.span(), "this resource name is declared twice"));
            }
        }
        Ok(Input { resources, body })
    }
}

/// One use of a resource found in a statement: the hidden variable that replaces it and the generic
/// arguments written on it, if any.
struct Use {
    resource: usize,
    var: Ident,
    args: PathArguments,
}

/// Replaces expression-position uses of the resource names in one statement.
struct Rewriter<'a> {
    resources: &'a [Resource],
    uses: Vec<Use>,
    counter: &'a mut usize,
    error: Option<syn::Error>,
}

impl Rewriter<'_> {
    /// The resource an expression path names, if it is a bare resource name (with optional generics).
    fn resource_of(&self, path: &ExprPath) -> Option<usize> {
        if path.qself.is_some() || path.path.leading_colon.is_some() || path.path.segments.len() != 1 {
            return None;
        }
        let ident = &path.path.segments[0].ident;
        self.resources.iter().position(|r| &r.name == ident)
    }

    /// Registers a use and returns the expression that replaces it.
    fn replace(&mut self, resource: usize, args: PathArguments) -> Expr {
        let var = format_ident!("__smart_alloc_{}", *self.counter, span = Span::mixed_site());
        *self.counter += 1;
        self.uses.push(Use {
            resource,
            var: var.clone(),
            args,
        });
        syn::parse_quote!(#var)
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Path(path) = expr {
            if let Some(resource) = self.resource_of(path) {
                let args = path.path.segments[0].arguments.clone();
                *expr = self.replace(resource, args);
                return;
            }
        }
        visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_field_value_mut(&mut self, field: &mut FieldValue) {
        // `S { name }` is shorthand for `S { name: name }`: keep the field name, replace the value.
        if field.colon_token.is_none() {
            if let Expr::Path(path) = &field.expr {
                if let Some(resource) = self.resource_of(path) {
                    field.expr = self.replace(resource, PathArguments::None);
                    field.colon_token = Some(Default::default());
                    return;
                }
            }
        }
        visit_mut::visit_field_value_mut(self, field);
    }

    fn visit_pat_ident_mut(&mut self, pat: &mut syn::PatIdent) {
        if self.error.is_none() && self.resources.iter().any(|r| r.name == pat.ident) {
            self.error = Some(syn::Error::new(
                pat.ident.span(),
                format!(
                    "`{}` is a smart_alloc! resource name; bind another name here",
                    pat.ident
                ),
            ));
        }
        visit_mut::visit_pat_ident_mut(self, pat);
    }
}

/// The statement that takes one piece from its pool.
fn take(resource: &Resource, var: &Ident, args: &PathArguments) -> TokenStream {
    let turbofish = match args {
        PathArguments::AngleBracketed(a) => quote!(#a),
        _ => quote!(),
    };
    match &resource.pool {
        Pool::ByValue(pool) => quote! { let (#var, #pool) = #pool.alloc #turbofish (); },
        Pool::Checked(place) => quote! { let #var = (#place).alloc #turbofish ()?; },
    }
}

/// Expands `smart_alloc!`'s input.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let Input { resources, body } = syn::parse2(input)?;
    let mut counter = 0;
    let mut out = TokenStream::new();
    for mut stmt in body {
        let mut rewriter = Rewriter {
            resources: &resources,
            uses: Vec::new(),
            counter: &mut counter,
            error: None,
        };
        rewriter.visit_stmt_mut(&mut stmt);
        if let Some(e) = rewriter.error {
            return Err(e);
        }
        for u in &rewriter.uses {
            out.extend(take(&resources[u.resource], &u.var, &u.args));
        }
        out.extend(quote!(#stmt));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(input: TokenStream) -> String {
        expand(input).unwrap().to_string()
    }

    #[test]
    fn each_use_takes_a_piece_before_its_statement() {
        let out = expanded(quote! { |slot from slots| { let a = f(slot); let b = g(slot, slot); } });
        let expected = quote! {
            let (__smart_alloc_0, slots) = slots.alloc();
            let a = f(__smart_alloc_0);
            let (__smart_alloc_1, slots) = slots.alloc();
            let (__smart_alloc_2, slots) = slots.alloc();
            let b = g(__smart_alloc_1, __smart_alloc_2);
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn checked_pools_use_the_question_mark() {
        let out = expanded(quote! { |mem from &mut res.untyped| { let t = mem::<U12>.retype(x)?; } });
        let expected = quote! {
            let __smart_alloc_0 = (res.untyped).alloc::<U12>()?;
            let t = __smart_alloc_0.retype(x)?;
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn fields_methods_paths_and_macros_are_left_alone() {
        let out = expanded(quote! { |slot from slots| {
            let a = x.slot + x.slot() + m::slot + S { slot: 1 }.slot;
            println!("{}", slot);
        } });
        let expected = quote! {
            let a = x.slot + x.slot() + m::slot + S { slot: 1 }.slot;
            println!("{}", slot);
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn field_shorthand_keeps_the_field_name() {
        let out = expanded(quote! { |slot from slots| { let s = S { slot }; } });
        let expected = quote! {
            let (__smart_alloc_0, slots) = slots.alloc();
            let s = S { slot: __smart_alloc_0 };
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn rebinding_a_resource_name_is_an_error() {
        let err = expand(quote! { |slot from slots| { let slot = 1; } }).err().unwrap();
        assert!(err.to_string().contains("resource name"), "{err}");
    }

    #[test]
    fn a_by_value_pool_must_be_a_variable() {
        let err = expand(quote! { |slot from res.slots| { f(slot); } }).err().unwrap();
        assert!(err.to_string().contains("must be a variable"), "{err}");
    }

    #[test]
    fn duplicate_names_are_an_error() {
        assert!(expand(quote! { |a from p, a from q| { f(a); } }).is_err());
    }
}
