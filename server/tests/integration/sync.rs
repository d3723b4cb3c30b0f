//! The presence SYNC of a large channel is made page by page as the client reads it:
//! PRESENCE sent during the sync reaches the client between pages, not behind the whole
//! SYNC, and the client still ends with the server's member set; a re-attach during a sync
//! gets a whole new one; clients that attach and do not read do not make the server hold
//! the SYNC.

use crate::support::{
    presence_frame_with_data, unique_channel, Client, Server, FAST_LOADER, FULL_KEY,
};
use roster::presence::{parse_sync_serial, MemberFilter, PresenceSet};
use roster::protocol::{Action, Flags, PresenceAction, ProtocolMessage};
use std::time::Duration;

/// Members of the large channel, and the bytes of data each: a SYNC of about 10.5 MB,
/// more than a socket that is not read takes in.
const MEMBERS: usize = 5_000;
const DATA: usize = 2_000;

/// The clientId of member `n`.
fn id(n: usize) -> String {
    format!("m-{n:05}")
}

/// A connection that enters, updates and makes leave members of any clientId.
struct Loader {
    client: Client,
    channel: String,
    serial: u64,
}

impl Loader {
    /// Enters [`MEMBERS`] members with [`DATA`] bytes each on `channel`.
    async fn fill(server: &Server, channel: &str) -> Loader {
        let (client, _) = server.connect(FULL_KEY, None).await;
        let mut loader = Loader {
            client,
            channel: channel.to_owned(),
            serial: 0,
        };
        let ids: Vec<String> = (0..MEMBERS).map(id).collect();
        for batch in ids.chunks(50) {
            loader.apply(PresenceAction::Enter, batch, DATA).await;
        }
        loader
    }

    /// `action` for each of `ids` with `bytes` of data, in one frame; asserts the ACK.
    async fn apply(&mut self, action: PresenceAction, ids: &[String], bytes: usize) {
        let items: Vec<_> = ids.iter().map(|id| (action, id.as_str(), bytes)).collect();
        let reply =
            presence_frame_with_data(&mut self.client, &self.channel, self.serial, &items).await;
        assert_eq!(reply.action, Action::Ack, "{reply:?}");
        self.serial += 1;
    }
}

/// A client's view of one channel, kept by roster's own presence set with the protocol's
/// rules (RTP18, RTP19, RTP2h2a).
#[derive(Default)]
struct Observer {
    set: PresenceSet,
    /// The syncIds of the syncs that completed.
    completed: Vec<String>,
    /// PRESENCE messages taken, and how many of them came during a sync.
    presence: usize,
    presence_during_sync: usize,
}

impl Observer {
    fn take(&mut self, frame: &ProtocolMessage) {
        let items = frame.presence.clone().unwrap_or_default();
        match frame.action {
            Action::Attached if frame.has_flag(Flags::HAS_PRESENCE) => self.set.start_sync(),
            Action::Attached => drop(self.set.clear(0)),
            Action::Sync => {
                self.set.start_sync();
                for item in items {
                    self.set.apply(item);
                }
                let serial = frame.channel_serial.as_deref().unwrap_or_default();
                let (sync_id, cursor) = parse_sync_serial(serial).expect("a sync serial");
                if cursor.is_empty() {
                    self.set.end_sync(0);
                    self.completed.push(sync_id.to_owned());
                }
            }
            Action::Presence => {
                self.presence += 1;
                if self.set.is_syncing() {
                    self.presence_during_sync += 1;
                }
                for item in items {
                    self.set.apply(item);
                }
            }
            _ => {}
        }
    }

    /// The present members as (clientId, bytes of data), in order.
    fn members(&self) -> Vec<(String, usize)> {
        let mut members: Vec<_> = self
            .set
            .get(&MemberFilter::default())
            .into_iter()
            .map(|m| {
                let m = m.to_message();
                let data = roster::json::to_string(&m.data).len();
                (m.client_id.unwrap_or_default(), data)
            })
            .collect();
        members.sort();
        members
    }
}

/// The channel's members as REST lists them, as (clientId, bytes of data), in order.
async fn rest_members(server: &Server, channel: &str) -> Vec<(String, usize)> {
    let mut members = Vec::new();
    let mut path = format!("/channels/{channel}/presence?limit=1000");
    loop {
        let page = server.get_as_full_key(&path).await;
        assert_eq!(page.status, 200, "{page:?}");
        for item in page.json().as_array().expect("an array of members") {
            let client_id = item["clientId"].as_str().expect("clientId").to_owned();
            let data = serde_json::to_string(&item["data"]).expect("data").len();
            members.push((client_id, data));
        }
        let next = page.header("link").and_then(|links| {
            links
                .split(", ")
                .find_map(|l| l.strip_suffix("; rel=\"next\""))
                .and_then(|l| l.strip_prefix("<./presence?"))
                .and_then(|l| l.strip_suffix('>'))
                .map(|query| format!("/channels/{channel}/presence?{query}"))
        });
        match next {
            Some(next) => path = next,
            None => break,
        }
    }
    members.sort();
    members
}

#[tokio::test]
async fn members_changing_during_a_large_sync_interleave_and_the_client_ends_with_the_servers_set()
{
    let server = Server::start(&FAST_LOADER);
    let channel = unique_channel("big-sync");
    let mut loader = Loader::fill(&server, &channel).await;
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    let mut view = Observer::default();
    view.take(&observer.attach(&channel).await);
    assert!(view.set.is_syncing(), "ATTACHED with HAS_PRESENCE");

    // Rounds of changes spread over the whole key range, so that wherever the sync has
    // got to some are behind its cursor and some ahead: updates, leaves, and new members
    // sorting between the old ones. The observer reads a little between rounds.
    const ROUNDS: usize = 6;
    for round in 0..ROUNDS {
        let spread = |offset: usize| -> Vec<String> {
            (0..5)
                .map(|k| id(k * 1_000 + round * 20 + offset))
                .collect()
        };
        loader.apply(PresenceAction::Update, &spread(1), 10).await;
        loader.apply(PresenceAction::Leave, &spread(2), 0).await;
        let new: Vec<String> = spread(3).iter().map(|m| format!("{m}-new")).collect();
        loader.apply(PresenceAction::Enter, &new, 20).await;
        for _ in 0..10 {
            view.take(&observer.recv().await);
        }
    }
    // And at both ends of the key range, whether the sync has passed them or not.
    loader
        .apply(PresenceAction::Leave, &[id(4), id(MEMBERS - 4)], 0)
        .await;
    loader
        .apply(PresenceAction::Update, &[id(1), id(MEMBERS - 1)], 30)
        .await;
    let expected_presence = ROUNDS * 3 + 2;
    while view.completed.is_empty() || view.presence < expected_presence {
        view.take(&observer.recv().await);
    }
    assert_eq!(view.completed.len(), 1, "one sync");
    // Made all at once, the SYNC was queued before any of these (10 MB of it): the
    // changes reached the client only after its last page.
    assert!(
        view.presence_during_sync > 0,
        "{} PRESENCE messages, none during the sync",
        view.presence
    );
    let server_members = rest_members(&server, &channel).await;
    assert_eq!(
        server_members.len(),
        MEMBERS - 2,
        "as many entered as left, and two"
    );
    assert!(view.members() == server_members, "the views differ");
}

#[tokio::test]
async fn a_detach_and_re_attach_during_a_sync_gets_a_whole_new_sync_and_none_of_the_old() {
    let server = Server::start(&FAST_LOADER);
    let channel = unique_channel("re-sync");
    let _loader = Loader::fill(&server, &channel).await;
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    observer.attach(&channel).await;
    let first = observer.recv_until(Action::Sync).await;
    let serial = first.channel_serial.clone().expect("channelSerial");
    let (old_id, cursor) = parse_sync_serial(&serial).expect("a sync serial");
    assert!(!cursor.is_empty(), "more pages to come");
    let old_id = old_id.to_owned();

    observer
        .send(&ProtocolMessage::for_channel(Action::Detach, &channel))
        .await;
    observer
        .send(&ProtocolMessage::for_channel(Action::Attach, &channel))
        .await;
    // Pages of the old sync already on the way come before DETACHED; none after it.
    let mut view = Observer::default();
    let mut detached = false;
    while view.completed.is_empty() {
        let frame = observer.recv().await;
        match frame.action {
            Action::Detached => detached = true,
            Action::Attached => assert!(detached, "ATTACHED before DETACHED"),
            Action::Sync if detached => {
                let serial = frame.channel_serial.as_deref().unwrap_or_default();
                let (sync_id, _) = parse_sync_serial(serial).expect("a sync serial");
                assert_ne!(sync_id, old_id, "a page of the old sync after DETACHED");
            }
            _ => {}
        }
        if detached {
            view.take(&frame);
        }
    }
    assert_eq!(view.members().len(), MEMBERS);
}

/// How many clients attach the large channel at once without reading.
const IDLE_READERS: usize = 10;

#[tokio::test]
async fn clients_that_attach_a_large_channel_and_do_not_read_do_not_make_the_server_hold_its_sync()
{
    let server = Server::start(&FAST_LOADER);
    let channel = unique_channel("unread-sync");
    let _loader = Loader::fill(&server, &channel).await;
    let mut readers = Vec::new();
    for n in 0..IDLE_READERS {
        let (client, _) = server.connect(FULL_KEY, Some(&format!("idle-{n}"))).await;
        readers.push(client);
    }
    server.reset_peak_rss();
    let before = server.rss_kib();
    for reader in &mut readers {
        reader.attach(&channel).await;
    }
    // Time for the server to write what the sockets take and queue what they do not.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let growth = server.peak_rss_kib().saturating_sub(before) * 1024;
    let sync_bytes = MEMBERS * (DATA + 100);
    // Made all at once, each client's whole SYNC was queued: ten times its size.
    assert!(
        growth < sync_bytes / 2,
        "the server's peak memory grew {growth} B while {IDLE_READERS} clients did not read a {sync_bytes} B SYNC"
    );
    // Reading now, each gets the whole of it.
    for reader in &mut readers {
        let mut view = Observer::default();
        view.set.start_sync();
        while view.completed.is_empty() {
            view.take(&reader.recv().await);
        }
        assert_eq!(view.members().len(), MEMBERS);
    }
}
