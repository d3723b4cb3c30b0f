//! The core-throughput workload as frames the server would send: a SYNC of `members`
//! (pages of 100) followed by `updates` single-member PRESENCE frames cycling UPDATE,
//! UPDATE, LEAVE, ENTER rounds over the members, so the set ends with every member present.

use serde_json::json;

/// Members per SYNC page.
pub const PAGE: usize = 100;

/// All frames of the workload, SYNC pages first.
pub fn frames(members: usize, updates: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(members / PAGE + 1 + updates);
    let pages = members.div_ceil(PAGE);
    for page in 0..pages {
        let cursor = if page + 1 == pages {
            String::new()
        } else {
            format!("c{}", page + 1)
        };
        let presence: Vec<_> = (page * PAGE..((page + 1) * PAGE).min(members))
            .map(|m| {
                json!({"action": 1, "clientId": format!("client-{m}"), "connectionId": format!("conn-{m}"),
                    "id": format!("conn-{m}:0:0"), "timestamp": 1_000, "data": r#"{"status":"here"}"#, "encoding": "json"})
            })
            .collect();
        out.push(json!({"action": 16, "channel": "bench", "channelSerial": format!("sync1:{cursor}"), "presence": presence}).to_string());
    }
    for i in 0..updates {
        let (m, round) = (i % members, 1 + i / members);
        let action = action_of(round);
        out.push(
            json!({"action": 14, "channel": "bench", "id": format!("conn-{m}:{round}"), "connectionId": format!("conn-{m}"),
                "timestamp": 1_000 + i, "presence": [{"action": action, "clientId": format!("client-{m}"),
                "data": format!(r#"{{"status":"r{round}"}}"#), "encoding": "json"}]})
            .to_string(),
        );
    }
    out
}

/// Members present after applying all frames.
pub fn expected_members(members: usize, updates: usize) -> usize {
    let mut present = vec![true; members];
    for i in 0..updates {
        present[i % members] = action_of(1 + i / members) != 3;
    }
    present.iter().filter(|p| **p).count()
}

/// Presence action of an update round: UPDATE, UPDATE, LEAVE, ENTER, repeating.
fn action_of(round: usize) -> u8 {
    match round % 4 {
        1 | 2 => 4,
        3 => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_end_with_the_right_members() {
        assert_eq!(expected_members(10, 100), 10);
        assert_eq!(expected_members(10, 25), 5);
        assert_eq!(frames(250, 10).len(), 3 + 10);
    }
}
