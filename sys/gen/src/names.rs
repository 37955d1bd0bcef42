//! Turning the kernel's C names into Rust names.

/// Rust keywords that cannot be used as plain identifiers.
const KEYWORDS: [&str; 38] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
];

/// `seL4_TCB_SetIPCBuffer` -> `tcb_set_ipc_buffer`, `X86IOPortIn8` -> `x86_io_port_in8`,
/// `bufferFrame` -> `buffer_frame`. "CNode" is kept as one word (`cnode`). Keywords get a trailing `_`.
pub fn snake(name: &str) -> String {
    let name = name
        .strip_prefix("seL4_")
        .unwrap_or(name)
        .replace("CNode", "Cnode")
        .replace("VSpace", "Vspace")
        .replace("CSpace", "Cspace");
    let mut out = String::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('_');
        }
        let chars: Vec<char> = part.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 && c.is_ascii_uppercase() {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        }
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `seL4_TCBBits` -> `TCB_BITS`.
pub fn screaming(name: &str) -> String {
    snake(name).trim_end_matches('_').to_ascii_uppercase()
}

/// `seL4_X86_LargePageObject` -> `X86LargePage`, `seL4_TCBObject` -> `Tcb`, `seL4_X86_4K` -> `X86_4K`,
/// `seL4_VCPUContext` -> `VcpuContext`. Parts are joined without separator unless the next starts with a digit.
pub fn camel(name: &str) -> String {
    let name = name.strip_prefix("seL4_").unwrap_or(name);
    let mut out = String::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        if part.starts_with(|c: char| c.is_ascii_digit()) && !out.is_empty() {
            out.push('_');
        }
        for word in snake(part).trim_end_matches('_').split('_') {
            // seL4 writes "CNode" as one word with two capitals.
            if word == "cnode" {
                out.push_str("CNode");
                continue;
            }
            let mut cs = word.chars();
            if let Some(first) = cs.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(cs);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("seL4_TCB_SetIPCBuffer"), "tcb_set_ipc_buffer");
        assert_eq!(snake("seL4_X86_IOPort_In8"), "x86_io_port_in8");
        assert_eq!(snake("seL4_CNode_Copy"), "cnode_copy");
        assert_eq!(snake("seL4_IRQControl_GetIOAPIC"), "irq_control_get_ioapic");
        assert_eq!(snake("seL4_X86_ASIDControl_MakePool"), "x86_asid_control_make_pool");
        assert_eq!(snake("seL4_X86_PDPT_Map"), "x86_pdpt_map");
        assert_eq!(snake("bufferFrame"), "buffer_frame");
        assert_eq!(snake("type"), "type_");
        assert_eq!(screaming("seL4_PML4Bits"), "PML4_BITS");
        assert_eq!(screaming("seL4_CapInitThreadCNode"), "CAP_INIT_THREAD_CNODE");
        assert_eq!(screaming("seL4_CapInitThreadVSpace"), "CAP_INIT_THREAD_VSPACE");
        assert_eq!(screaming("seL4_CapInitThreadIPCBuffer"), "CAP_INIT_THREAD_IPC_BUFFER");
        assert_eq!(
            camel("seL4_X86_LargePageObject".trim_end_matches("Object")),
            "X86LargePage"
        );
        assert_eq!(camel("seL4_X86_4K"), "X86_4K");
        assert_eq!(camel("seL4_TCB"), "Tcb");
        assert_eq!(camel("seL4_X64_PML4"), "X64Pml4");
        assert_eq!(camel("seL4_VCPUContext"), "VcpuContext");
        assert_eq!(camel("RETYPE_FAN_OUT_LIMIT"), "RetypeFanOutLimit");
        assert_eq!(camel("ROOT_CNODE_SIZE_BITS"), "RootCNodeSizeBits");
    }
}
