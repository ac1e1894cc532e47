-- t_danmu: danmu-analyze's event table in MySQL / MariaDB. One row per event, every kind in one
-- table (`kind` says which; a column that does not apply to a kind is NULL), the same columns as
-- the event table in README.md. `danmu-analyze db init --mysql URL` applies this file (and creates
-- the database if missing); re-running it changes nothing. Generated from src/columns.rs (see
-- src/db/schema.rs): edit those, not this file.
--
-- Text is utf8mb4 (nicknames and chat carry emoji and characters beyond the BMP) with the binary
-- collation: stored and compared byte for byte, so names differing only in case or width stay
-- apart. Time is `ts_ms` (UTC milliseconds, exact); `ts` is the same instant as a readable UTC
-- DATETIME(3), NULL outside DATETIME's range. Ids are BIGINT UNSIGNED (Douyin ids use all 64 bits).
CREATE TABLE IF NOT EXISTS `t_danmu` (
  `id`              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'load order: breaks ties of equal ts_ms',
  `ts_ms`           BIGINT          NOT NULL COMMENT 'UTC milliseconds since the Unix epoch',
  `ts`              DATETIME(3)     NULL COMMENT 'ts_ms as UTC, for people',
  `ts_source`       ENUM('event_time', 'create_time', 'frame_now', 'received', 'unknown') NOT NULL DEFAULT 'unknown' COMMENT 'where ts came from',
  `room_id`         BIGINT UNSIGNED NOT NULL,
  `msg_id`          BIGINT UNSIGNED NOT NULL,
  `kind`            VARCHAR(16)     NOT NULL COMMENT 'chat, emoji_chat, gift, like, member, social, fansclub, room_user_seq, room_stats, room_rank, control, battle, room_notice, screen_chat, other',
  `method`          VARCHAR(255)    NOT NULL COMMENT 'push method, e.g. WebcastChatMessage',
  `user_id`         BIGINT UNSIGNED NULL,
  `user_name`       VARCHAR(255)    NULL,
  `user_level`      INT UNSIGNED    NULL,
  `fans_club_level` INT UNSIGNED    NULL,
  `gender`          TINYINT UNSIGNED NULL,
  `content`         TEXT            NULL,
  `gift_id`         BIGINT UNSIGNED NULL,
  `gift_name`       VARCHAR(255)    NULL,
  `gift_count`      BIGINT UNSIGNED NULL COMMENT 'a resolved combo: final repeatCount x groupCount',
  `diamond_count`   BIGINT UNSIGNED NULL,
  `like_count`      BIGINT UNSIGNED NULL,
  `like_total`      BIGINT UNSIGNED NULL,
  `member_count`    BIGINT UNSIGNED NULL,
  `follow_count`    BIGINT UNSIGNED NULL,
  `action`          BIGINT UNSIGNED NULL,
  `online`          BIGINT UNSIGNED NULL,
  `total_viewers`   BIGINT UNSIGNED NULL,
  `control_status`  BIGINT UNSIGNED NULL,
  `chat_by`         INT UNSIGNED    NULL COMMENT '9: a lucky-bag passphrase',
  `battle_id`       BIGINT UNSIGNED NULL,
  `battle_start_ms` BIGINT UNSIGNED NULL COMMENT 'UTC milliseconds',
  `battle_end_ms`   BIGINT UNSIGNED NULL COMMENT 'UTC milliseconds: start + duration',
  `anchor1_id`      BIGINT UNSIGNED NULL,
  `anchor1_score`   BIGINT UNSIGNED NULL,
  `anchor2_id`      BIGINT UNSIGNED NULL,
  `anchor2_score`   BIGINT UNSIGNED NULL,
  PRIMARY KEY (`id`),
  -- A message is stored once: loading the same events again inserts nothing.
  UNIQUE KEY `uk_room_msg` (`room_id`, `msg_id`),
  -- --room / --since / --until reads.
  KEY `ix_room_ts` (`room_id`, `ts_ms`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'danmu-analyze events (see t_danmu.sql and README.md)';
