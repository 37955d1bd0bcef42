//! One retype makes at most CONFIG_RETYPE_FAN_OUT_LIMIT (256) objects.
use selkie::typenum::{U20, U512};
use selkie::{CNodeSlots, Cap, Endpoint, Error, Untyped};

fn demo(ut: Cap<Untyped<U20>>, slots: CNodeSlots<U512>) -> Result<(), Error> {
    let _eps = ut.retype_multi::<Endpoint, U512, _>(slots)?;
    Ok(())
}

fn main() {}
