//! Only a handler bound to a notification can be acknowledged; this one was just issued.
use selkie::typenum::U20;
use selkie::{Cap, IrqControl, IoApicPin, Polarity, Trigger};

fn demo(ctl: &Cap<IrqControl>, slot: selkie::CNodeSlot) -> Result<(), selkie::Error> {
    let pin = IoApicPin { ioapic: 0, pin: 2, trigger: Trigger::Edge, polarity: Polarity::ActiveHigh };
    let handler = ctl.ioapic_handler::<U20, _>(slot, pin)?;
    handler.ack()
}

fn main() {}
