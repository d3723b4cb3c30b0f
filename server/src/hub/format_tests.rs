//! Connections of both wire formats on one channel: a broadcast is encoded once per
//! format in use and its bytes shared, binary data crosses formats as binary, and a
//! msgpack connection's resume replays its missed frames in msgpack.

use super::tests::{attach, hub};
use super::*;
use crate::auth::Identity;
use roster::auth::Capability;
use roster::protocol::{decode, decode_json, Action, Data, Message};

/// A connection for `client_id` speaking `format`, resuming `resume` if given.
fn connect_in(
    hub: &mut Hub,
    client_id: &str,
    format: Format,
    resume: Option<&str>,
) -> (String, Rx) {
    let (tx, rx) = outbox(usize::MAX);
    let identity = Identity {
        client_id: Some(client_id.to_owned()),
        capability: Capability::all().into(),
        expires: None,
    };
    let connected = hub.connect(identity, true, format, 0, resume, tx);
    (connected.conn_id, rx)
}

/// Every frame queued so far, as it was queued.
fn drain(rx: &Rx) -> Vec<Outbound> {
    std::iter::from_fn(|| rx.try_recv()).collect()
}

/// A MESSAGE of three bytes, held as a JSON connection (or `wire::decode`) sends them.
fn publish_binary(hub: &mut Hub, conn_id: &str, now: u64) {
    let msg = ProtocolMessage {
        messages: Some(vec![Message {
            data: Some(Data::String("AAH/".into())),
            encoding: Some("base64".into()),
            ..Message::default()
        }]),
        ..ProtocolMessage::for_channel(Action::Message, "room")
    };
    hub.publish(conn_id, &msg, now).expect("publish applies");
}

/// The one data item of a MESSAGE frame, and its encoding.
fn data_of(msg: &ProtocolMessage) -> (Option<Data>, Option<String>) {
    let m = &msg.messages.as_ref().expect("messages")[0];
    (m.data.clone(), m.encoding.clone())
}

#[test]
fn a_broadcast_is_encoded_once_per_format_and_its_bytes_shared() {
    let mut hub = hub();
    let ids: Vec<(String, Rx)> = [
        ("j1", Format::Json),
        ("j2", Format::Json),
        ("m1", Format::Msgpack),
        ("m2", Format::Msgpack),
    ]
    .into_iter()
    .map(|(id, format)| connect_in(&mut hub, id, format, None))
    .collect();
    for (id, rx) in &ids {
        attach(&mut hub, id, "room", 0);
        drain(rx);
    }
    publish_binary(&mut hub, &ids[0].0, 1);
    let frames: Vec<Outbound> = ids.iter().flat_map(|(_, rx)| drain(rx)).collect();
    let [Outbound::Text(j1), Outbound::Text(j2), Outbound::Binary(m1), Outbound::Binary(m2)] =
        &frames[..]
    else {
        panic!("text for JSON, binary for msgpack: {frames:?}");
    };
    assert_eq!(
        j1.as_str().as_ptr(),
        j2.as_str().as_ptr(),
        "one JSON encode"
    );
    assert_eq!(m1.as_ptr(), m2.as_ptr(), "one msgpack encode");
    let json = decode_json(j1.as_bytes()).expect("JSON frame");
    assert_eq!(
        data_of(&json),
        (Some(Data::String("AAH/".into())), Some("base64".into()))
    );
    let msgpack = decode(Format::Msgpack, m1).expect("msgpack frame");
    assert_eq!(
        data_of(&msgpack),
        (Some(Data::Binary(vec![0, 1, 255])), None)
    );
}

#[test]
fn a_msgpack_resume_replays_missed_frames_in_msgpack() {
    let mut hub = hub();
    let (json, _rx_json) = connect_in(&mut hub, "web", Format::Json, None);
    let (bot, rx_bot) = connect_in(&mut hub, "bot", Format::Msgpack, None);
    attach(&mut hub, &bot, "room", 0);
    let attached = drain(&rx_bot);
    let Some(Outbound::Binary(bytes)) = attached.first() else {
        panic!("ATTACHED in msgpack: {attached:?}");
    };
    let from = decode(Format::Msgpack, bytes).expect("ATTACHED");
    hub.transport_lost(&bot, 0);
    publish_binary(&mut hub, &json, 1);
    let key = hub.connection(&bot).expect("kept").key.clone();
    let (resumed, rx) = connect_in(&mut hub, "bot", Format::Msgpack, Some(&key));
    assert_eq!(resumed, bot);
    let msg = ProtocolMessage {
        channel_serial: from.channel_serial,
        ..ProtocolMessage::for_channel(Action::Attach, "room")
    };
    hub.attach(&bot, &msg, 2);
    let frames: Vec<ProtocolMessage> = drain(&rx)
        .iter()
        .map(|out| match out {
            Outbound::Binary(bytes) => decode(Format::Msgpack, bytes).expect("msgpack"),
            other => panic!("msgpack frames only: {other:?}"),
        })
        .collect();
    assert_eq!(
        frames.len(),
        2,
        "ATTACHED and the missed MESSAGE: {frames:?}"
    );
    assert_eq!(frames[1].action, Action::Message);
    assert_eq!(
        data_of(&frames[1]),
        (Some(Data::Binary(vec![0, 1, 255])), None)
    );
}
