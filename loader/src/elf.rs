//! Reading the ELF32 little-endian ARM executables the loader embeds: the header and the `PT_LOAD` program
//! headers, each checked against the file's bounds.

/// `PT_LOAD`: a segment to place in memory.
pub const PT_LOAD: u32 = 1;
/// `EM_ARM`: the ELF machine number of 32-bit ARM.
pub const EM_ARM: u16 = 40;
/// The most `PT_LOAD` segments one image may have.
pub const MAX_SEGMENTS: usize = 8;

/// Why an embedded file is not an executable the loader can place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfError {
    /// The file is shorter than an ELF header, or does not start with `\x7fELF`.
    NotElf,
    /// Not a 32-bit little-endian executable for ARM (`class`, `data`, `machine` as found).
    WrongKind {
        /// `e_ident[EI_CLASS]` (1 = 32-bit).
        class: u8,
        /// `e_ident[EI_DATA]` (1 = little-endian).
        data: u8,
        /// `e_machine` (40 = ARM).
        machine: u16,
    },
    /// The program header table (or one entry) lies outside the file.
    HeadersOutOfBounds,
    /// Segment `index`'s file bytes lie outside the file (`offset + filesz > len`).
    SegmentOutOfBounds {
        /// The segment's index among the `PT_LOAD` segments.
        index: usize,
    },
    /// Segment `index` has more file bytes than memory bytes.
    FileLargerThanMemory {
        /// The segment's index among the `PT_LOAD` segments.
        index: usize,
    },
    /// Segment `index` wraps around the end of the 32-bit address space.
    AddressOverflow {
        /// The segment's index among the `PT_LOAD` segments.
        index: usize,
    },
    /// No `PT_LOAD` segment, or more than [`MAX_SEGMENTS`].
    SegmentCount(usize),
}

/// One `PT_LOAD` segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Segment {
    /// Where the file's bytes start (`p_offset`).
    pub offset: u32,
    /// Virtual address (`p_vaddr`).
    pub vaddr: u32,
    /// Physical address (`p_paddr`).
    pub paddr: u32,
    /// Bytes taken from the file (`p_filesz`).
    pub filesz: u32,
    /// Bytes in memory (`p_memsz`); the rest after `filesz` is zeroed.
    pub memsz: u32,
}

/// A checked executable: its entry point and its `PT_LOAD` segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elf {
    /// `e_entry`.
    pub entry: u32,
    segments: [Segment; MAX_SEGMENTS],
    count: usize,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl Elf {
    /// Reads and checks `file`: an ELF32 little-endian ARM file whose `PT_LOAD` segments lie inside it.
    pub fn parse(file: &[u8]) -> Result<Elf, ElfError> {
        if file.len() < 52 || file[..4] != *b"\x7fELF" {
            return Err(ElfError::NotElf);
        }
        let (class, data) = (file[4], file[5]);
        let machine = u16_at(file, 18).ok_or(ElfError::NotElf)?;
        if class != 1 || data != 1 || machine != EM_ARM {
            return Err(ElfError::WrongKind { class, data, machine });
        }
        let entry = u32_at(file, 24).ok_or(ElfError::NotElf)?;
        let phoff = u32_at(file, 28).ok_or(ElfError::NotElf)? as usize;
        let phentsize = u16_at(file, 42).ok_or(ElfError::NotElf)? as usize;
        let phnum = u16_at(file, 44).ok_or(ElfError::NotElf)? as usize;
        if phentsize < 32 {
            return Err(ElfError::HeadersOutOfBounds);
        }
        let mut segments = [Segment::default(); MAX_SEGMENTS];
        let mut count = 0;
        for i in 0..phnum {
            let at = phentsize
                .checked_mul(i)
                .and_then(|o| o.checked_add(phoff))
                .ok_or(ElfError::HeadersOutOfBounds)?;
            let field = |n: usize| u32_at(file, at + 4 * n).ok_or(ElfError::HeadersOutOfBounds);
            if field(7).is_err() {
                return Err(ElfError::HeadersOutOfBounds);
            }
            if field(0)? != PT_LOAD {
                continue;
            }
            let s = Segment {
                offset: field(1)?,
                vaddr: field(2)?,
                paddr: field(3)?,
                filesz: field(4)?,
                memsz: field(5)?,
            };
            let index = count;
            if s.offset as u64 + s.filesz as u64 > file.len() as u64 {
                return Err(ElfError::SegmentOutOfBounds { index });
            }
            if s.filesz > s.memsz {
                return Err(ElfError::FileLargerThanMemory { index });
            }
            if s.vaddr.checked_add(s.memsz).is_none() || s.paddr.checked_add(s.memsz).is_none() {
                return Err(ElfError::AddressOverflow { index });
            }
            if count == MAX_SEGMENTS {
                return Err(ElfError::SegmentCount(count + 1));
            }
            segments[count] = s;
            count += 1;
        }
        if count == 0 {
            return Err(ElfError::SegmentCount(0));
        }
        Ok(Elf { entry, segments, count })
    }

    /// The `PT_LOAD` segments, in file order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments[..self.count]
    }

    /// The lowest and one past the highest virtual address the segments occupy.
    pub fn virtual_range(&self) -> (u32, u32) {
        let lo = self.segments().iter().map(|s| s.vaddr).min().unwrap_or(0);
        let hi = self.segments().iter().map(|s| s.vaddr + s.memsz).max().unwrap_or(0);
        (lo, hi)
    }

    /// The lowest and one past the highest physical address the segments occupy (`p_paddr`).
    pub fn physical_range(&self) -> (u32, u32) {
        let lo = self.segments().iter().map(|s| s.paddr).min().unwrap_or(0);
        let hi = self.segments().iter().map(|s| s.paddr + s.memsz).max().unwrap_or(0);
        (lo, hi)
    }
}

/// Hand-made ELF files for tests and examples (hosted builds only).
#[doc(hidden)]
#[cfg(not(target_os = "none"))]
pub mod tests_support {
    extern crate std;
    use std::vec::Vec;

    /// A one-segment ELF32 ARM executable: `data` at `vaddr`/`paddr`, `memsz` bytes in memory, entered at
    /// `vaddr`. `kind` is `e_type` (2: executable).
    pub fn elf(kind: u16, vaddr: u32, paddr: u32, data: &[u8], memsz: u32) -> Vec<u8> {
        let mut f = std::vec![0u8; 0x100];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 1;
        f[5] = 1;
        f[6] = 1;
        f[16..18].copy_from_slice(&kind.to_le_bytes());
        f[18..20].copy_from_slice(&super::EM_ARM.to_le_bytes());
        f[24..28].copy_from_slice(&vaddr.to_le_bytes());
        f[28..32].copy_from_slice(&52u32.to_le_bytes());
        f[42..44].copy_from_slice(&32u16.to_le_bytes());
        f[44..46].copy_from_slice(&1u16.to_le_bytes());
        let ph = [1u32, 0x100, vaddr, paddr, data.len() as u32, memsz, 7, 0x1000];
        for (i, w) in ph.iter().enumerate() {
            f[52 + 4 * i..56 + 4 * i].copy_from_slice(&w.to_le_bytes());
        }
        f.extend_from_slice(data);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::elf;
    use super::*;

    #[test]
    fn a_good_file_gives_its_entry_and_segment() {
        let f = elf(2, 0x1_0000, 0x1_0000, &[7; 16], 0x40);
        let e = Elf::parse(&f).unwrap();
        assert_eq!(e.entry, 0x1_0000);
        assert_eq!(
            e.segments(),
            [Segment {
                offset: 0x100,
                vaddr: 0x1_0000,
                paddr: 0x1_0000,
                filesz: 16,
                memsz: 0x40
            }]
        );
        assert_eq!(e.virtual_range(), (0x1_0000, 0x1_0040));
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        assert_eq!(Elf::parse(b"not an elf"), Err(ElfError::NotElf));
        assert_eq!(Elf::parse(&[0; 64]), Err(ElfError::NotElf));
        let mut f = elf(2, 0, 0, &[1; 4], 4);
        f[18] = 62; // x86_64
        assert_eq!(
            Elf::parse(&f),
            Err(ElfError::WrongKind {
                class: 1,
                data: 1,
                machine: 62
            })
        );
        let mut f = elf(2, 0, 0, &[1; 4], 4);
        f[4] = 2; // ELF64
        assert!(matches!(Elf::parse(&f), Err(ElfError::WrongKind { class: 2, .. })));
        // Program headers past the end of the file.
        let mut f = elf(2, 0, 0, &[1; 4], 4);
        f[28..32].copy_from_slice(&0xffff_0000u32.to_le_bytes());
        assert_eq!(Elf::parse(&f), Err(ElfError::HeadersOutOfBounds));
        // A truncated file: the segment's bytes are cut off.
        let f = elf(2, 0, 0, &[1; 64], 64);
        assert_eq!(
            Elf::parse(&f[..f.len() - 1]),
            Err(ElfError::SegmentOutOfBounds { index: 0 })
        );
        // filesz > memsz.
        let f = elf(2, 0, 0, &[1; 64], 32);
        assert_eq!(Elf::parse(&f), Err(ElfError::FileLargerThanMemory { index: 0 }));
        // A segment wrapping past 4 GiB.
        let f = elf(2, 0xffff_f000, 0, &[1; 4], 0x2000);
        assert_eq!(Elf::parse(&f), Err(ElfError::AddressOverflow { index: 0 }));
        // No loadable segment.
        let mut f = elf(2, 0, 0, &[1; 4], 4);
        f[52..56].copy_from_slice(&6u32.to_le_bytes());
        assert_eq!(Elf::parse(&f), Err(ElfError::SegmentCount(0)));
    }
}
