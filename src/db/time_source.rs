//! `t_danmu.ts_source`: how an event's time was found ([`TimeSource`]), as the ENUM's names.

use crate::event::TimeSource;

/// Every [`TimeSource`], in `t_danmu.ts_source`'s ENUM order.
pub(crate) const TIME_SOURCES: [TimeSource; 5] = [
    TimeSource::EventTime,
    TimeSource::CreateTime,
    TimeSource::FrameNow,
    TimeSource::Received,
    TimeSource::Unknown,
];

pub(crate) fn time_source(s: &str) -> Option<TimeSource> {
    Some(match s {
        "event_time" => TimeSource::EventTime,
        "create_time" => TimeSource::CreateTime,
        "frame_now" => TimeSource::FrameNow,
        "received" => TimeSource::Received,
        "unknown" => TimeSource::Unknown,
        _ => return None,
    })
}

pub(crate) fn time_source_name(t: TimeSource) -> &'static str {
    match t {
        TimeSource::EventTime => "event_time",
        TimeSource::CreateTime => "create_time",
        TimeSource::FrameNow => "frame_now",
        TimeSource::Received => "received",
        TimeSource::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in TIME_SOURCES {
            assert_eq!(time_source(time_source_name(t)), Some(t));
        }
    }
}
