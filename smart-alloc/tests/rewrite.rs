//! `smart_alloc!` expanded by the compiler against small pools that record what was taken.

use selkie_smart_alloc::smart_alloc;

/// A pool split by value, like `CNodeSlots<N>`: each piece is the next number.
struct Pool(u32);

impl Pool {
    fn alloc(self) -> (u32, Pool) {
        (self.0, Pool(self.0 + 1))
    }
}

/// A pool checked at run time, like the untyped allocator.
struct Checked {
    left: u32,
}

#[derive(Debug, PartialEq)]
struct Exhausted;

impl Checked {
    fn alloc(&mut self) -> Result<u32, Exhausted> {
        if self.left == 0 {
            return Err(Exhausted);
        }
        self.left -= 1;
        Ok(100 + self.left)
    }
}

struct Holder {
    checked: Checked,
}

struct Pair {
    slot: u32,
    other: u32,
}

fn body(slots: Pool, holder: &mut Holder) -> Result<(u32, u32, u32, Pool), Exhausted> {
    smart_alloc!(|slot from slots, mem from &mut holder.checked| {
        let first = slot;
        let second = slot + mem;
        let pair = Pair { slot, other: slot };
    });
    Ok((first, second, pair.slot * 10 + pair.other, slots))
}

#[test]
fn uses_take_pieces_in_order_and_the_pool_is_rebound_to_the_rest() {
    let mut holder = Holder {
        checked: Checked { left: 5 },
    };
    let (first, second, pair, rest) = body(Pool(0), &mut holder).unwrap();
    assert_eq!(first, 0);
    assert_eq!(second, 1 + 104);
    assert_eq!(pair, 2 * 10 + 3, "field shorthand took a piece, the field name stayed");
    assert_eq!(rest.0, 4);
    assert_eq!(holder.checked.left, 4);
}

#[test]
fn a_checked_pool_reports_exhaustion_through_the_question_mark() {
    let mut holder = Holder {
        checked: Checked { left: 0 },
    };
    assert!(matches!(body(Pool(0), &mut holder), Err(Exhausted)));
}

#[test]
fn names_elsewhere_are_untouched() {
    struct S {
        slot: u32,
    }
    impl S {
        fn slot(&self) -> u32 {
            self.slot * 2
        }
    }
    mod m {
        pub const SLOT: u32 = 7;
    }
    let s = S { slot: 3 };
    let slots = Pool(50);
    smart_alloc!(|slot from slots| {
        let fields = s.slot + s.slot() + m::SLOT;
        let taken = slot;
    });
    assert_eq!(fields, 3 + 6 + 7);
    assert_eq!(taken, 50);
    assert_eq!(slots.0, 51);
}
