//! The simulated audience: stable identities derived from the seed (id, nickname, levels) and
//! their protobuf `User` encodings, cached for the most active viewers.

use std::collections::HashSet;

use prost::Message as _;

use super::phrases::{ANCHORS, NICK_ASCII, NICK_CHARS, NICK_DECOR, NICK_EMOJI, NICK_WORDS};
use super::rng::{mix, Rng};
use crate::proto::webcast::{
    FansClub, FansClubData, FollowInfo, Image, ImageContent, PayGrade, User,
};

/// Viewers below this index (the most active chatters) keep their encoded `User`.
const CACHE_USERS: usize = 50_000;
/// The room's regular big spenders: one viewer in 50, at most this many.
const MAX_WHALES: u32 = 30;

/// What a viewer looks like; regenerated on demand from (seed, index).
struct Persona {
    short_id: u64,
    nickname: String,
    gender: u32,
    pay_level: u64,
    display_id: String,
    sec_uid: String,
    avatar: String,
    following_count: u64,
    follower_count: u64,
}

pub(crate) struct People {
    seed: u64,
    /// Viewer index → person of the population `seed` describes (the identity without an
    /// [`Audience`]): ids and personas follow the person, the rest of the state the index.
    who: Vec<u32>,
    ids: Vec<u64>,
    /// Fans-club level, 0 when not a member; changes when a viewer joins.
    club: Vec<u8>,
    /// Whether the viewer follows the anchor; changes on a follow.
    following: Vec<bool>,
    /// Spend rank → viewer index: who gifts most.
    spender_at: Vec<u32>,
    /// Viewer index → spend rank.
    spend_rank: Vec<u32>,
    /// Spend ranks below this are whales.
    whales: u32,
    /// Arrival order as an affine permutation `k ↦ (a·k + b) mod n`.
    arrival: (u64, u64),
    cache: Vec<Vec<u8>>,
    scratch: Vec<u8>,
    pub(crate) anchor: User,
    club_name: &'static str,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn base64url(rng: &mut Rng, n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..n)
        .map(|_| char::from(ALPHABET[rng.below(64) as usize]))
        .collect()
}

fn hex(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize]))
        .collect()
}

fn nickname(rng: &mut Rng) -> String {
    let r = rng.f64();
    let mut s = String::new();
    if r < 0.34 {
        s.push_str(rng.pick(NICK_WORDS));
        if rng.chance(0.2) {
            let n = rng.range(2, 4) as usize;
            s.push_str(&digits(rng, n));
        } else if rng.chance(0.15) {
            s.push_str(rng.pick(NICK_DECOR));
        }
    } else if r < 0.48 {
        let prefix = ["小", "阿", "大", "老", ""];
        s.push_str(rng.pick(&prefix));
        let c = rng.pick(NICK_CHARS);
        s.push_str(c);
        if s.chars().count() < 2 || rng.chance(0.5) {
            s.push_str(if rng.chance(0.6) {
                c
            } else {
                rng.pick(NICK_CHARS)
            });
        }
    } else if r < 0.60 {
        let e = rng.pick(NICK_EMOJI);
        let word = rng.pick(NICK_WORDS);
        match rng.below(3) {
            0 => {
                s.push_str(e);
                s.push_str(e);
                s.push_str(word);
            }
            1 => {
                s.push_str(e);
                s.push_str(word);
            }
            _ => {
                s.push_str(word);
                s.push_str(e);
            }
        }
    } else if r < 0.70 {
        s.push_str(rng.pick(NICK_ASCII));
        if rng.chance(0.5) {
            let n = rng.range(2, 4) as usize;
            s.push_str(&digits(rng, n));
        }
    } else if r < 0.82 {
        // Douyin's default nickname for accounts that never set one.
        s.push_str("用户");
        s.push_str(&digits(rng, 10));
    } else if r < 0.86 {
        // Privacy-masked nickname as the server sends for some viewers.
        s.push_str(rng.pick(NICK_CHARS));
        s.push_str(if rng.chance(0.5) { "***" } else { "**" });
    } else {
        let decor = rng.pick(NICK_DECOR);
        if rng.chance(0.2) {
            s.push_str(decor);
        }
        s.push_str(rng.pick(NICK_WORDS));
        s.push_str(decor);
    }
    s
}

fn persona(seed: u64, index: u32, spend_rank: u32, whales: u32) -> Persona {
    let mut rng = Rng::new(mix(seed ^ 0x5045_5253_4F4E_4121, u64::from(index)));
    let nickname = nickname(&mut rng);
    let gender = rng.pick(&[0, 1, 1, 1, 2, 2, 2]);
    let u = rng.f64();
    let mut pay_level = (u * u * u * 40.0) as u64;
    if spend_rank < whales {
        // Big spenders carry high honour levels; the top three the highest.
        pay_level = if spend_rank < 3 {
            rng.range(45, 60)
        } else {
            rng.range(22, 44)
        };
    }
    let display_id = match rng.below(3) {
        0 => {
            let n = rng.range(9, 11) as usize;
            digits(&mut rng, n)
        }
        1 => format!(
            "dy{}",
            base64url(&mut rng, 8)
                .to_lowercase()
                .replace(['-', '_'], "x")
        ),
        _ => format!(
            "{}{}",
            rng.pick(NICK_ASCII).to_lowercase(),
            digits(&mut rng, 4)
        ),
    };
    let sec_uid = format!("MS4wLjABAAAA{}", base64url(&mut rng, 64));
    let avatar = hex(&mut rng, 32);
    let f = rng.f64();
    Persona {
        short_id: rng.range(1_000_000_000, 99_999_999_999),
        nickname,
        gender,
        pay_level,
        display_id,
        sec_uid,
        avatar,
        following_count: rng.below(1500),
        follower_count: (f * f * f * f * 50_000.0) as u64,
    }
}

fn honour_badge(level: u64) -> Image {
    Image {
        url_list: vec![format!(
            "https://p3-webcast.douyinpic.com/img/webcast/new_user_grade_level_v1_{level}.png~tplv-obj.image"
        )],
        uri: format!("webcast/new_user_grade_level_v1_{level}.png"),
        height: 16,
        width: 32,
        image_type: 1,
        content: Some(ImageContent {
            level,
            alternative_text: format!("荣誉等级{level}级勋章"),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn club_badge(level: u64) -> Image {
    Image {
        uri: format!("webcast/fansclub_level_v6_{level}.png"),
        height: 16,
        width: 32,
        image_type: 7,
        content: Some(ImageContent {
            font_color: "#FFFFFF".into(),
            level,
            alternative_text: format!("粉丝团等级{level}级勋章"),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Who a session's viewers are when several sessions of one room share an audience: viewer `i`
/// is person `who[i]` of the room's population, whose id and nickname come from `seed`, so a
/// person drawn again in a later session is the same viewer. `who.len()` is the pool size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub seed: u64,
    pub who: Vec<u32>,
}

impl People {
    /// A pool of `n` viewers (at least one).
    pub(crate) fn new(seed: u64, n: usize) -> Self {
        let n = n.max(1);
        Self::build(seed, seed, (0..n as u32).collect(), false)
    }

    /// The pool of a session with a shared audience; the rest of its state from `seed`.
    pub(crate) fn of_audience(seed: u64, audience: &Audience) -> Self {
        let who = if audience.who.is_empty() {
            vec![0]
        } else {
            audience.who.clone()
        };
        let mut people = Self::build(seed, audience.seed, who, true);
        // The room's streamer, whatever the session.
        people.anchor = Self::build(audience.seed, audience.seed, vec![0], false).anchor;
        people
    }

    /// `seed` draws the session's state; `identity` seeds who each person is.
    /// With `loyal_spenders`, spend follows the person's place in the population.
    fn build(seed: u64, identity: u64, who: Vec<u32>, loyal_spenders: bool) -> Self {
        let n = who.len();
        let mut rng = Rng::new(mix(seed, 0x504F_4F4C));
        let mut seen = HashSet::with_capacity(n);
        let ids = who
            .iter()
            .map(|&i| {
                let mut r = Rng::new(mix(identity ^ 0x4944_5321, u64::from(i)));
                loop {
                    // Mostly 15–16 digit ids; a few old accounts with 11–12 digit ones.
                    let id = if r.chance(0.03) {
                        r.range(58_000_000_000, 1_100_000_000_000)
                    } else {
                        r.range(100_000_000_000_000, 4_000_000_000_000_000)
                    };
                    if seen.insert(id) {
                        break id;
                    }
                }
            })
            .collect();
        let mut spender_at: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            spender_at.swap(i, j);
        }
        if loyal_spenders {
            // A room's longest-standing fans spend most, session after session.
            spender_at.sort_by_key(|&i| who[i as usize]);
        }
        let mut spend_rank = vec![0u32; n];
        for (rank, &idx) in spender_at.iter().enumerate() {
            spend_rank[idx as usize] = rank as u32;
        }
        let whales = (n as u32 / 50).clamp(1, MAX_WHALES);
        let mut club = vec![0u8; n];
        let mut following = vec![false; n];
        for i in 0..n {
            let rank = spend_rank[i];
            if rank < whales {
                club[i] = rng.range(8, 20) as u8;
                following[i] = true;
            } else {
                if rng.chance(0.22) {
                    let u = rng.f64();
                    club[i] = 1 + (u * u * 15.0) as u8;
                }
                following[i] = club[i] > 0 || rng.chance(0.3);
            }
        }
        let n64 = n as u64;
        let mut a = rng.range(1, n64.max(2)) | 1;
        while gcd(a, n64) != 1 {
            a += 2;
        }
        let b = rng.below(n64);
        let (anchor_name, club_name) = rng.pick(ANCHORS);
        let anchor_id = rng.range(1_000_000_000_000_000, 3_000_000_000_000_000);
        let anchor = User {
            id: anchor_id,
            nickname: anchor_name.to_string(),
            display_id: format!("dy{}", digits(&mut rng, 8)),
            sec_uid: format!("MS4wLjABAAAA{}", base64url(&mut rng, 64)),
            id_str: anchor_id.to_string(),
            ..Default::default()
        };
        People {
            seed: identity,
            who,
            ids,
            club,
            following,
            spender_at,
            spend_rank,
            whales,
            arrival: (a % n64.max(1), b),
            cache: vec![Vec::new(); n.min(CACHE_USERS)],
            scratch: Vec::new(),
            anchor,
            club_name,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn id(&self, i: u32) -> u64 {
        self.ids[i as usize]
    }

    pub(crate) fn nickname(&self, i: u32) -> String {
        persona(
            self.seed,
            self.who[i as usize],
            self.spend_rank[i as usize],
            self.whales,
        )
        .nickname
    }

    /// The viewer with the given spend rank (0 gifts most).
    pub(crate) fn spender(&self, rank: usize) -> u32 {
        self.spender_at[rank.min(self.spender_at.len() - 1)]
    }

    pub(crate) fn is_whale(&self, i: u32) -> bool {
        self.spend_rank[i as usize] < self.whales
    }

    /// The viewer who enters as the `k`-th arrival (wrapping: late arrivals are re-entries).
    pub(crate) fn arrival(&self, k: u64) -> u32 {
        let n = self.ids.len() as u64;
        let (a, b) = self.arrival;
        ((u128::from(a) * u128::from(k % n) + u128::from(b)) % u128::from(n)) as u32
    }

    pub(crate) fn club_level(&self, i: u32) -> u8 {
        self.club[i as usize]
    }

    pub(crate) fn set_club_level(&mut self, i: u32, level: u8) {
        self.club[i as usize] = level;
        self.forget(i);
    }

    pub(crate) fn follows(&self, i: u32) -> bool {
        self.following[i as usize]
    }

    pub(crate) fn set_follows(&mut self, i: u32) {
        self.following[i as usize] = true;
        self.forget(i);
    }

    fn forget(&mut self, i: u32) {
        if let Some(c) = self.cache.get_mut(i as usize) {
            c.clear();
        }
    }

    pub(crate) fn user(&self, i: u32) -> User {
        let idx = i as usize;
        let p = persona(self.seed, self.who[idx], self.spend_rank[idx], self.whales);
        let id = self.ids[idx];
        let club = u64::from(self.club[idx]);
        let mut badges = Vec::with_capacity(2);
        if p.pay_level > 0 {
            badges.push(honour_badge(p.pay_level));
        }
        if club > 0 {
            badges.push(club_badge(club));
        }
        User {
            id,
            short_id: p.short_id,
            nickname: p.nickname,
            gender: p.gender,
            avatar_thumb: Some(Image {
                url_list: vec![format!(
                    "https://p3.douyinpic.com/aweme/100x100/aweme-avatar/tos-cn-i-0813c001_{}.jpeg?from=3067671334",
                    p.avatar
                )],
                uri: format!("100x100/aweme-avatar/tos-cn-i-0813c001_{}", p.avatar),
                ..Default::default()
            }),
            badge_image_list: badges,
            follow_info: Some(FollowInfo {
                following_count: p.following_count,
                follower_count: p.follower_count,
                follow_status: u64::from(self.following[idx]),
            }),
            pay_grade: Some(PayGrade { level: p.pay_level }),
            fans_club: (club > 0).then(|| FansClub {
                data: Some(FansClubData {
                    club_name: self.club_name.to_string(),
                    level: club as u32,
                    user_fans_club_status: 1,
                    anchor_id: self.anchor.id,
                }),
            }),
            display_id: p.display_id,
            sec_uid: p.sec_uid,
            id_str: id.to_string(),
        }
    }

    /// The encoded `User` of viewer `i`, ready to splice into a message.
    pub(crate) fn user_bytes(&mut self, i: u32) -> &[u8] {
        let idx = i as usize;
        if idx < self.cache.len() {
            if self.cache[idx].is_empty() {
                let bytes = self.user(i).encode_to_vec();
                self.cache[idx] = bytes;
            }
            return &self.cache[idx];
        }
        self.scratch = self.user(i).encode_to_vec();
        &self.scratch
    }
}
