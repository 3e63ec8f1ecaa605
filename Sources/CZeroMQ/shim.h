// shim.h — libzmq's C API for the Jupyter kernel's sockets (Debian libzmq3-dev).
#include <zmq.h>

/// ETERM is an expression macro Swift does not import: blocking calls return it once the
/// context is being terminated, which is how the heartbeat thread learns to stop.
static inline int gashell_zmq_eterm(void) { return ETERM; }
