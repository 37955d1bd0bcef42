//! A thread sharing the caller's CSpace names its fault endpoint by the caller's own address: a `Child`
//! endpoint (an address in some child's CSpace) means nothing there.
use selkie::{Cap, Child, CSpaceRoot, Endpoint, Error, IpcBuffer, LocalCNode, Pml4, Priority, Tcb, TcbConfig};

fn demo(
    tcb: Cap<Tcb>,
    cspace: Cap<LocalCNode>,
    vspace: Cap<Pml4>,
    child_ep: Cap<Endpoint, Child>,
) -> Result<(), Error> {
    tcb.configure(TcbConfig {
        fault_endpoint: &child_ep,
        cspace: CSpaceRoot::shared(&cspace),
        vspace: &vspace,
        ipc_buffer: IpcBuffer::NONE,
        priority: Priority::MIN,
    })
}

fn main() {}
