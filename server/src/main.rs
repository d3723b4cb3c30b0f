//! roster-server: an Ably-protocol presence server (being written).

fn main() {}
