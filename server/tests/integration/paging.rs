//! REST presence pages go on after the last member of the page before: members entering
//! and leaving between requests do not make a client paging through miss or repeat the
//! members present all along, filtered or not. A cursor the server did not make is a 400.

use crate::support::{presence_frame, unique_channel, Client, Response, Server, FULL_KEY};
use roster::protocol::{Action, PresenceAction};

/// A connection entering members on any clientId on one channel.
struct Loader {
    client: Client,
    channel: String,
    serial: u64,
}

impl Loader {
    /// A connection with the full key and no clientId, its first connectionId.
    async fn connect(server: &Server, channel: &str) -> (Loader, String) {
        let (client, connected) = server.connect(FULL_KEY, None).await;
        let channel = channel.to_owned();
        let conn_id = connected.connection_id.expect("connectionId");
        let loader = Loader {
            client,
            channel,
            serial: 0,
        };
        (loader, conn_id)
    }

    /// Enters (or makes leave) each of `ids`, in one frame; asserts the ACK.
    async fn apply(&mut self, action: PresenceAction, ids: &[String]) {
        let items: Vec<(PresenceAction, &str)> =
            ids.iter().map(|id| (action, id.as_str())).collect();
        let reply = presence_frame(&mut self.client, &self.channel, self.serial, &items).await;
        assert_eq!(reply.action, Action::Ack, "{reply:?}");
        self.serial += 1;
    }
}

/// The path of the `rel` link of a presence page, if any.
fn link(response: &Response, channel: &str, rel: &str) -> Option<String> {
    let header = response.header("link").expect("a Link header");
    header
        .split(", ")
        .find_map(|l| l.strip_suffix(&format!("; rel=\"{rel}\"")))
        .map(|l| {
            let query = l
                .strip_prefix("<./presence?")
                .and_then(|l| l.strip_suffix('>'))
                .unwrap_or_else(|| panic!("not a relative presence link: {l}"));
            format!("/channels/{channel}/presence?{query}")
        })
}

/// The (clientId, connectionId) of each member of a page.
fn listed(response: &Response) -> Vec<(String, String)> {
    assert_eq!(response.status, 200, "{response:?}");
    let page = response.json();
    let items = page.as_array().expect("an array");
    items
        .iter()
        .map(|m| {
            let field = |name: &str| m[name].as_str().expect(name).to_owned();
            (field("clientId"), field("connectionId"))
        })
        .collect()
}

#[tokio::test]
async fn members_present_all_along_are_listed_once_while_others_come_and_go() {
    let server = Server::start(&[]);
    let channel = unique_channel("paging");
    let (mut loader, _) = Loader::connect(&server, &channel).await;
    let staying: Vec<String> = (0..60).map(|i| format!("m-{i:03}")).collect();
    loader.apply(PresenceAction::Enter, &staying).await;
    // Members sorting before every staying one.
    let early: Vec<String> = (0..40).map(|i| format!("e-{i:03}")).collect();
    loader.apply(PresenceAction::Enter, &early[..20]).await;

    let mut seen = Vec::new();
    let mut path = format!("/channels/{channel}/presence?limit=10");
    let (mut pages, mut gone, mut fresh) = (0, 0, 20);
    loop {
        let page = server.get_as_full_key(&path).await;
        seen.extend(listed(&page));
        pages += 1;
        let Some(next) = link(&page, &channel, "next") else {
            break;
        };
        assert!(pages < 30, "the pages never end");
        // Before the next page: on odd pages three members before the cursor leave, on
        // even ones three enter before it and one leaves. An offset would miss members,
        // then repeat some.
        if pages % 2 == 1 {
            loader
                .apply(PresenceAction::Leave, &early[gone..gone + 3])
                .await;
            gone += 3;
        } else {
            loader
                .apply(PresenceAction::Enter, &early[fresh..fresh + 3])
                .await;
            fresh += 3;
            loader
                .apply(PresenceAction::Leave, &early[gone..gone + 1])
                .await;
            gone += 1;
        }
        // Among the members still to come, one enters and the one before it leaves.
        let between = |page: usize| vec![format!("m-{:03}x", 59 - page)];
        loader.apply(PresenceAction::Enter, &between(pages)).await;
        if pages > 1 {
            let before = between(pages - 1);
            loader.apply(PresenceAction::Leave, &before).await;
        }
        path = next;
    }
    let mut clients: Vec<&str> = seen.iter().map(|(client, _)| client.as_str()).collect();
    let listed_staying: Vec<&str> = clients
        .iter()
        .copied()
        .filter(|c| c.starts_with("m-") && c.len() == 5)
        .collect();
    assert_eq!(listed_staying, staying, "each in order, once");
    let count = clients.len();
    clients.sort_unstable();
    clients.dedup();
    assert_eq!(clients.len(), count, "no member listed twice: {seen:?}");
}

#[tokio::test]
async fn filtered_pages_go_on_after_their_cursor_and_the_links_lead_back() {
    let server = Server::start(&[]);
    let channel = unique_channel("paging-filtered");
    let (mut first, first_id) = Loader::connect(&server, &channel).await;
    let (mut second, _) = Loader::connect(&server, &channel).await;
    let names: Vec<String> = (0..25).map(|i| format!("c-{i:02}")).collect();
    first.apply(PresenceAction::Enter, &names).await;
    second.apply(PresenceAction::Enter, &names).await;

    // Members of the first connection sorting before all of the others.
    let early: Vec<String> = (0..9).map(|i| format!("b-{i:02}")).collect();
    first.apply(PresenceAction::Enter, &early).await;

    // The first connection's members, ten a page, while some of them that were listed
    // leave, and the other connection's come and go.
    let mut path = format!("/channels/{channel}/presence?connectionId={first_id}&limit=10");
    let mut seen = Vec::new();
    for page_number in 0.. {
        let page = server.get_as_full_key(&path).await;
        seen.extend(listed(&page));
        let Some(next) = link(&page, &channel, "next") else {
            break;
        };
        assert!(page_number < 5, "the pages never end");
        first
            .apply(
                PresenceAction::Leave,
                &early[page_number * 3..page_number * 3 + 3],
            )
            .await;
        second
            .apply(
                PresenceAction::Leave,
                &names[page_number * 8..page_number * 8 + 4],
            )
            .await;
        path = next;
    }
    assert!(seen.iter().all(|(_, conn)| *conn == first_id), "{seen:?}");
    let staying: Vec<&String> = seen
        .iter()
        .map(|(client, _)| client)
        .filter(|c| c.starts_with("c-"))
        .collect();
    assert_eq!(
        staying,
        names.iter().collect::<Vec<_>>(),
        "each in order, once"
    );

    // One clientId, one member a page: both connections' members, and the links of the
    // second page lead to it again (current) and to the start (first).
    let path = format!("/channels/{channel}/presence?clientId=c-24&limit=1");
    let one = server.get_as_full_key(&path).await;
    let next = link(&one, &channel, "next").expect("a next page");
    let two = server.get_as_full_key(&next).await;
    assert_eq!(listed(&one).len() + listed(&two).len(), 2);
    assert_ne!(listed(&one), listed(&two));
    assert_eq!(link(&two, &channel, "next"), None);
    let current = link(&two, &channel, "current").expect("a current link");
    assert_eq!(
        listed(&server.get_as_full_key(&current).await),
        listed(&two)
    );
    let start = link(&two, &channel, "first").expect("a first link");
    assert_eq!(listed(&server.get_as_full_key(&start).await), listed(&one));
}

#[tokio::test]
async fn a_cursor_the_server_did_not_make_is_refused_with_40000() {
    let server = Server::start(&[]);
    let channel = unique_channel("paging-cursor");
    for cursor in ["1000", "%21%21", "YQ", "", "OTk6YQ"] {
        let path = format!("/channels/{channel}/presence?limit=10&cursor={cursor}");
        let response = server.get_as_full_key(&path).await;
        assert_eq!(response.assert_error(400), 40000, "cursor {cursor:?}");
    }
}
