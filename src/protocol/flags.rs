//! ProtocolMessage `flags`: a bitset with the protocol's named bits (TR3).

use serde::{Deserialize, Serialize};

/// The `flags` bitset of a ProtocolMessage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Flags(pub u64);

impl Flags {
    /// ATTACHED: a presence SYNC follows.
    pub const HAS_PRESENCE: Flags = Flags(1 << 0);
    /// ATTACHED: backlog messages follow.
    pub const HAS_BACKLOG: Flags = Flags(1 << 1);
    /// ATTACHED: channel continuity was kept.
    pub const RESUMED: Flags = Flags(1 << 2);
    /// Transient publish.
    pub const TRANSIENT: Flags = Flags(1 << 4);
    /// ATTACH: resume the attachment (deprecated by the spec, still understood).
    pub const ATTACH_RESUME: Flags = Flags(1 << 5);
    /// ATTACHED: a LiveObjects sync follows.
    pub const HAS_OBJECTS: Flags = Flags(1 << 7);
    /// Mode: may enter presence.
    pub const PRESENCE: Flags = Flags(1 << 16);
    /// Mode: may publish messages.
    pub const PUBLISH: Flags = Flags(1 << 17);
    /// Mode: receives messages.
    pub const SUBSCRIBE: Flags = Flags(1 << 18);
    /// Mode: receives presence events and SYNC.
    pub const PRESENCE_SUBSCRIBE: Flags = Flags(1 << 19);
    /// Mode: may publish annotations.
    pub const ANNOTATION_PUBLISH: Flags = Flags(1 << 21);
    /// Mode: receives annotations.
    pub const ANNOTATION_SUBSCRIBE: Flags = Flags(1 << 22);
    /// Mode: receives LiveObjects updates.
    pub const OBJECT_SUBSCRIBE: Flags = Flags(1 << 24);
    /// Mode: may publish LiveObjects operations.
    pub const OBJECT_PUBLISH: Flags = Flags(1 << 25);
    /// The four basic modes together (0xF0000).
    pub const BASIC_MODES: Flags = Flags(0xF_0000);
    /// Every mode bit (0x36F0000).
    pub const MODE_ALL: Flags = Flags(0x36F_0000);

    /// No bits set.
    pub const fn empty() -> Flags {
        Flags(0)
    }

    /// Whether every bit of `other` is set here.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of both sets.
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// The bits set in both.
    pub const fn intersection(self, other: Flags) -> Flags {
        Flags(self.0 & other.0)
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl core::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.0 |= rhs.0;
    }
}

impl core::ops::BitAnd for Flags {
    type Output = Flags;
    fn bitand(self, rhs: Flags) -> Flags {
        self.intersection(rhs)
    }
}
