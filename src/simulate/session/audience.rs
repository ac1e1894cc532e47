//! The audience: likes, joins, follows and shares, fans-club messages.

use std::io::Write;

use super::super::truth::Kind;
use super::{splice, stamped, Built, Session, FANSCLUB, LIKE, MEMBER, SOCIAL};
use crate::proto::webcast::{FansclubMessage, LikeMessage, MemberMessage, SocialMessage};

impl<W: Write> Session<'_, W> {
    pub(super) fn non_follower(&mut self) -> Option<u32> {
        (0..8)
            .map(|_| self.rng.below(self.people.len() as u64) as u32)
            .find(|u| !self.people.follows(*u))
    }

    pub(super) fn like_message(&mut self, id: u64, user: u32, count: u64) -> Built {
        self.like_total += count;
        let head = LikeMessage {
            common: Some(self.common(LIKE, id, 0, String::new())),
            count,
            total: self.like_total,
            ..Default::default()
        };
        self.tally.like(user, count);
        (
            LIKE,
            splice(
                &head,
                5,
                self.people.user_bytes(user),
                &LikeMessage::default(),
            ),
            None,
        )
    }

    pub(super) fn member_message(&mut self, id: u64, at: u64, user: u32) -> Built {
        self.total_user += 1;
        let head = MemberMessage {
            common: Some(self.common(MEMBER, id, 0, String::new())),
            ..Default::default()
        };
        let tail = MemberMessage {
            member_count: (self.online(at) + 0.5) as u64,
            action: 1,
            ..Default::default()
        };
        self.tally.member(user);
        (
            MEMBER,
            splice(&head, 2, self.people.user_bytes(user), &tail),
            None,
        )
    }

    pub(super) fn social_message(&mut self, id: u64, at: u64, user: u32, action: u64) -> Built {
        let nick = self.people.nickname(user);
        let (describe, tail) = if action == 1 {
            self.follow_count += 1;
            let tail = SocialMessage {
                action,
                follow_count: self.follow_count,
                ..Default::default()
            };
            (format!("{nick} 关注了主播"), tail)
        } else {
            self.share_count += 1;
            let tail = SocialMessage {
                share_type: 1,
                action,
                share_target: "101".into(),
                share_count: self.share_count,
                ..Default::default()
            };
            (format!("{nick} 分享了直播间"), tail)
        };
        let head = SocialMessage {
            common: Some(self.common(SOCIAL, id, at, describe)),
            ..Default::default()
        };
        self.tally.social(user, action);
        (
            SOCIAL,
            splice(&head, 2, self.people.user_bytes(user), &tail),
            stamped(at),
        )
    }

    pub(super) fn fansclub_message(
        &mut self,
        id: u64,
        at: u64,
        user: u32,
        level: u8,
        join: bool,
    ) -> Built {
        let nick = self.people.nickname(user);
        let (kind, content) = if join {
            self.club_members += 1;
            self.tally.club(user);
            (
                2,
                format!("恭喜 {nick} 成为第{}名粉丝团成员", self.club_members),
            )
        } else {
            (1, format!("恭喜 {nick} 的粉丝团等级升级到{level}级"))
        };
        let head = FansclubMessage {
            common: Some(self.common(FANSCLUB, id, at, String::new())),
            r#type: kind,
            content,
            ..Default::default()
        };
        self.tally.message(Kind::Fansclub);
        (
            FANSCLUB,
            splice(
                &head,
                4,
                self.people.user_bytes(user),
                &FansclubMessage::default(),
            ),
            stamped(at),
        )
    }
}
