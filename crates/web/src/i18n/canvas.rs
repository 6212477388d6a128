//! The canvas's and the inspector's texts added for issue 14 (producer ids, refused
//! requests, compression, the record's batch), English and Korean.

pub const CANVAS_MESSAGES: &[(&str, &str, &str)] = &[
    (
        "cv.pid_epoch",
        "producer id {pid} · epoch {epoch}",
        "프로듀서 ID {pid} · 에포크 {epoch}",
    ),
    (
        "cv.pid_waiting",
        "producer {n}: waiting for InitProducerId",
        "프로듀서 {n}: InitProducerId 응답 대기",
    ),
    (
        "cv.pid_none",
        "producer {n} (no producer id)",
        "프로듀서 {n} (프로듀서 ID 없음)",
    ),
    ("cv.pid_short", "pid {pid}", "pid {pid}"),
    (
        "cv.no_pid",
        "none (-1: not idempotent)",
        "없음 (-1: 멱등 프로듀서 아님)",
    ),
    (
        "cv.last_error",
        "last error: {e} on P{p}, {ago} s ago · {n} errors · {f} records failed",
        "마지막 오류: P{p}에서 {e}, {ago}초 전 · 오류 {n}건 · 실패한 레코드 {f}건",
    ),
    (
        "cv.last_error_retried",
        "last error: {e} on P{p}, {ago} s ago (retried) · {n} errors · {f} records failed",
        "마지막 오류: P{p}에서 {e}, {ago}초 전 (재시도) · 오류 {n}건 · 실패한 레코드 {f}건",
    ),
    ("cv.refused_here", "refused: {e} ×{n}", "거부: {e} ×{n}"),
];
