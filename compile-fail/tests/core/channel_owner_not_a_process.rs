//! A channel's ends are for `ThisProcess` or a child named by a `child_brand!` type: any other type as an
//! owner does not compile.
use selkie::channel::{channel, Between, Buffered};
use selkie::typenum::{U4, U8};
use selkie::{Cap, Endpoint};

selkie::child_brand!(Client);
struct NotABrand;

#[derive(Clone, Copy)]
#[repr(C)]
struct Ping(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ping {}
selkie::message!(Ping: U8 = 1);

fn demo(res: &mut selkie::bootstrap::Resources) -> Result<(), selkie::Error> {
    let ep: Cap<Endpoint> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
    let _ = channel::<Ping, Ping, Buffered, Between<Client, NotABrand>, _>(ep, &res.cspace, res.slots.alloc()?)?;
    Ok(())
}

fn main() {}
