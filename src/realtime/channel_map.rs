//! The client's channels by name: a Vec kept sorted by name, so channels are visited in
//! name order as a BTreeMap would, without a BTreeMap instance of its own in the wasm.

use super::Ticket;
use crate::channel::Channel;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// Channels by name, in name order.
#[derive(Debug, Default)]
pub(super) struct ChannelMap {
    entries: Vec<(String, Channel<Ticket>)>,
}

impl ChannelMap {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(key, _)| key.as_str().cmp(name))
    }

    /// The channel called `name`, if it was ever used.
    pub(super) fn get(&self, name: &str) -> Option<&Channel<Ticket>> {
        let index = self.find(name).ok()?;
        self.entries.get(index).map(|(_, channel)| channel)
    }

    /// The channel called `name`, mutably, if it was ever used.
    pub(super) fn get_mut(&mut self, name: &str) -> Option<&mut Channel<Ticket>> {
        let index = self.find(name).ok()?;
        self.entries.get_mut(index).map(|(_, channel)| channel)
    }

    /// The channel called `name`, made in its initial state if new.
    pub(super) fn get_or_default(&mut self, name: &str) -> &mut Channel<Ticket> {
        let index = match self.find(name) {
            Ok(index) => index,
            Err(index) => {
                self.entries
                    .insert(index, (name.to_owned(), Channel::default()));
                index
            }
        };
        &mut self.entries[index].1
    }

    /// Forgets the channel called `name`, if there is one.
    pub(super) fn remove(&mut self, name: &str) {
        if let Ok(index) = self.find(name) {
            self.entries.remove(index);
        }
    }

    /// Whether a channel called `name` exists.
    pub(super) fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// The names in order, as a list the caller may hold while changing channels.
    pub(super) fn names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.entries.len());
        for (name, _) in &self.entries {
            names.push(name.clone());
        }
        names
    }

    /// (name, channelSerial) of each channel that has one.
    pub(super) fn serials(&self) -> Vec<(String, String)> {
        let mut serials = Vec::new();
        for (name, channel) in &self.entries {
            if let Some(serial) = &channel.serial {
                serials.push((name.clone(), serial.clone()));
            }
        }
        serials
    }

    /// The channels in name order.
    pub(super) fn values(&self) -> impl Iterator<Item = &Channel<Ticket>> {
        self.entries.iter().map(|(_, channel)| channel)
    }

    /// The channels in name order, mutably.
    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut Channel<Ticket>> {
        self.entries.iter_mut().map(|(_, channel)| channel)
    }
}
