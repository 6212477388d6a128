//! Every text the page shows, in English and Korean, from one table ([`MESSAGES`], with the
//! timeline's in `time` and the event log's in `log`: [`all`] is the three). The page starts in
//! the browser's language (Korean for `ko`, else English) and the toggle switches at once.

mod canvas;
mod compare;
mod export;
mod guide;
mod layout;
mod log;
mod metrics;
mod refusal;
mod time;

/// A page language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// From `navigator.language`: Korean for any `ko` tag, else English.
    pub fn from_browser(tag: &str) -> Lang {
        let t = tag.trim().to_ascii_lowercase();
        if t == "ko" || t.starts_with("ko-") || t.starts_with("ko_") {
            Lang::Ko
        } else {
            Lang::En
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }
}

/// (key, English, Korean). Keys are referenced from index.html (`data-i18n`) and the code.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("title", "Streamscope: Kafka producer and consumer internals", "Streamscope: 카프카 프로듀서와 컨슈머 내부 동작"),
    ("tagline", "Every dot is a record. Everything that moves is computed by a deterministic Kafka simulator.", "점 하나가 레코드 하나입니다. 움직이는 모든 것은 결정적 카프카 시뮬레이터가 계산한 결과입니다."),
    ("play", "Play", "재생"),
    ("crash", "Lose host", "호스트 유실"),
    ("kill", "Kill process", "프로세스 종료"),
    ("restart", "Restart", "재시작"),
    ("crash_broker_label", "Lose broker {b}'s host (it goes silent)", "브로커 {b} 호스트 유실 (응답 없음)"),
    ("kill_broker_label", "Kill broker {b}'s process (its connections close)", "브로커 {b} 프로세스 종료 (연결 끊김)"),
    ("restart_broker_label", "Restart broker {b}", "브로커 {b} 재시작"),
    ("broker_n", "Broker {b}", "브로커 {b}"),
    ("fault_hint", "Each broker box has two ways to fail (Restart while it is down). Kill process: the host stays up, so its connections close at once and producers retry right away, sending to the new leader as soon as it is elected. Lose host: the broker goes silent and clients wait out request.timeout.ms (30 s) first. Either way the KRaft controller fences the broker 9 s after its last heartbeat (broker.session.timeout.ms; no controlled shutdown), removes it from every ISR and elects new leaders from the ISR. A broker restarted sooner is refused until then, so it never keeps its old leaderships; it comes back as a follower, catches up and rejoins the ISR.", "브로커 상자마다 장애를 내는 방법이 두 가지 있습니다(중단된 동안에는 재시작 버튼). 프로세스 종료: 호스트는 살아 있어 연결이 바로 끊기므로 프로듀서가 즉시 재시도하고, 새 리더가 선출되자마자 그쪽으로 보냅니다. 호스트 유실: 브로커가 응답하지 않으므로 클라이언트는 먼저 request.timeout.ms(30초)를 기다립니다. 어느 쪽이든 KRaft 컨트롤러는 마지막 하트비트 후 9초(broker.session.timeout.ms, 제어된 종료 없음)가 지나야 브로커를 펜싱하고, 모든 ISR에서 빼고, ISR에서 새 리더를 선출합니다. 그 전에 재시작한 브로커는 그때까지 등록이 거부되므로 이전 리더십을 유지하지 못하고, 팔로워로 돌아와 따라잡은 뒤 ISR에 다시 들어갑니다."),
    ("broker_up", "running", "실행 중"),
    ("broker_crashed", "crashed · not fenced yet", "장애 · 아직 펜싱 전"),
    ("broker_fenced", "crashed · fenced by the controller", "장애 · 컨트롤러가 펜싱함"),
    ("broker_restarting", "restarting · waits for the controller to fence its old session", "재시작 중 · 컨트롤러가 이전 세션을 펜싱하기를 기다림"),
    ("not_in_isr", "not in ISR", "ISR 밖"),
    ("crash_done", "Broker {b}: host lost. It is silent: clients wait out request.timeout.ms (30 s) before they retry", "브로커 {b} 호스트 유실: 응답이 없어 클라이언트는 request.timeout.ms(30초)를 기다린 뒤 재시도합니다"),
    ("kill_done", "Broker {b}: process killed. Its connections closed: producers retry at once and send to the new leader as soon as the controller elects it", "브로커 {b} 프로세스 종료: 연결이 바로 끊겨 프로듀서가 즉시 재시도하고, 컨트롤러가 새 리더를 선출하면 곧바로 그쪽으로 보냅니다"),
    ("restart_pending_done", "Broker {b} restarted: the controller refuses its new registration until the old session expires (9 s after the last heartbeat), fences it and moves its leaderships first; then it rejoins as a follower", "브로커 {b} 재시작: 컨트롤러는 이전 세션이 만료될 때까지(마지막 하트비트 후 9초) 새 등록을 거부하고, 먼저 이전 인스턴스를 펜싱해 리더십을 옮깁니다. 그 뒤 팔로워로 다시 합류합니다"),
    ("restart_done", "Broker {b} restarted", "브로커 {b} 재시작"),
    ("durability", "Replication and delivery", "복제와 전달 보장"),
    ("dur_topic", "Topic, applies on Reset:", "토픽, 초기화 시 적용:"),
    ("dur_producer", "Producer, applies now (a new producer instance):", "프로듀서, 바로 적용 (새 프로듀서 인스턴스):"),
    ("pending_reset", "Waiting for Reset: {list}", "초기화 대기 중: {list}"),
    ("dur_hint", "With acks=all, min.insync.replicas=2 and no unclean election, no acknowledged record is lost; acks=1 loses what a crashed leader had not yet replicated; an unclean election loses what the new leader never had; retries without idempotence write duplicates.", "acks=all, min.insync.replicas=2, 언클린 선출 없음이면 확인 응답된 레코드는 유실되지 않습니다. acks=1이면 장애 난 리더가 아직 복제하지 못한 레코드가 유실되고, 언클린 선출은 새 리더에 없던 레코드를 잃으며, 멱등성 없이 재시도하면 중복이 기록됩니다."),
    ("monitor_title", "Invariant monitor", "불변식 모니터"),
    ("mon_lost", "acknowledged, then lost", "확인 응답 후 유실"),
    ("mon_dup", "duplicated", "중복"),
    ("mon_ooo", "out of order", "순서 어긋남"),
    ("memory_use", "memory in use", "사용 중인 메모리"),
    ("records_retained", "records retained (retention.ms 7 days)", "보관 중인 레코드 (retention.ms 7일)"),
    ("monitor_not_wired", "(not counted in this build yet: the core's monitor is coming; no number rather than a false 0)", "(이 빌드에서는 아직 세지 않습니다: 코어의 모니터가 곧 들어옵니다. 거짓 0 대신 숫자를 비워 둡니다)"),
    ("inflight_title", "Produce requests in flight", "전송 중인 프로듀스 요청"),
    ("inflight_sub", "→ broker, then per batch: partition, sequence numbers first–last; at most {max} per broker", "→ 브로커, 배치마다 파티션과 시퀀스 번호 처음–끝; 브로커당 최대 {max}개"),
    ("inflight_none", "none: every request has its answer", "없음: 모든 요청이 응답을 받음"),
    ("inflight_records", "{n} rec, no sequence", "{n}건, 시퀀스 없음"),
    ("inflight_retry", "retry {n}", "재시도 {n}"),
    ("pause", "Pause", "일시정지"),
    ("step", "Step", "한 단계"),
    ("reset", "Reset", "초기화"),
    ("random_seed", "Random seed", "무작위 시드"),
    ("seed", "Seed", "시드"),
    ("speed", "Speed", "속도"),
    ("language", "한국어", "English"),
    ("language_label", "Language", "언어"),
    ("acks", "acks", "acks"),
    ("partitioner", "Partitioner", "파티셔너"),
    ("partitioner.builtin", "built-in (3.3+ default)", "내장 (3.3+ 기본값)"),
    ("partitioner.round-robin", "RoundRobinPartitioner", "RoundRobinPartitioner"),
    ("partitioner.legacy-sticky", "legacy sticky (2.4-3.2)", "구 스티키 (2.4-3.2)"),
    ("linger", "linger.ms", "linger.ms"),
    ("batch_size", "batch.size", "batch.size"),
    ("num_partitions", "num.partitions (on reset)", "num.partitions (초기화 시 적용)"),
    ("num_partitions_live", "num.partitions (live, increase only)", "num.partitions (실행 중 변경, 늘리기만 가능)"),
    ("send_mode", "send()", "send()"),
    ("send_mode.async", "async (callback)", "비동기 (콜백)"),
    ("send_mode.sync", "sync (send().get())", "동기 (send().get())"),
    ("setting", "Any setting (name=value)", "설정 직접 입력 (이름=값)"),
    ("groups_title", "Consumer groups", "컨슈머 그룹"),
    ("grp_live", "Members, now:", "멤버 (즉시 적용):"),
    ("grp_group", "group #", "그룹 #"),
    ("grp_consumer", "consumer #", "컨슈머 #"),
    ("add_consumer", "Add consumer", "컨슈머 추가"),
    ("add_group", "Add group", "그룹 추가"),
    ("remove_consumer", "Close (LeaveGroup)", "종료 (LeaveGroup)"),
    ("crash_consumer", "Crash", "장애 발생"),
    ("restart_consumer", "Restart", "재시작"),
    ("slow_ms", "ms per record", "레코드당 ms"),
    ("slow_consumer", "Set processing time", "처리 시간 설정"),
    ("grp_reset", "Group, applies on Reset (Add consumer uses it now):", "그룹 (초기화 시 적용, 컨슈머 추가에는 즉시 사용):"),
    ("static_members", "static membership (group.instance.id)", "정적 멤버십 (group.instance.id)"),
    ("groups_hint", "Close sends LeaveGroup: the group rebalances at once. Crash is silent: the coordinator notices after session.timeout.ms (45 s). A consumer slower than max.poll.interval.ms (5 min) between polls leaves the group. Eager assignors (range, roundrobin, sticky) revoke everything at each rebalance; cooperative-sticky revokes only what moves and hands it over in a second round. With static membership a restart within the session timeout causes no rebalance.", "종료는 LeaveGroup을 보내므로 그룹이 즉시 리밸런싱합니다. 장애는 조용히 일어나므로 코디네이터는 session.timeout.ms(45초) 후에 알아챕니다. poll 사이가 max.poll.interval.ms(5분)보다 느린 컨슈머는 그룹을 떠납니다. eager 할당자(range, roundrobin, sticky)는 리밸런싱마다 모든 파티션을 회수하고, cooperative-sticky는 옮겨지는 파티션만 회수해 두 번째 라운드에서 넘깁니다. 정적 멤버십이면 세션 타임아웃 안의 재시작은 리밸런싱을 일으키지 않습니다."),
    ("member_added", "consumer added to group #{g} (partition.assignment.strategy={s}): it joins at its first poll()", "그룹 #{g}에 컨슈머 추가 (partition.assignment.strategy={s}): 첫 poll()에서 참여합니다"),
    ("group_added", "group {g} added: it reads orders with its own committed offsets", "그룹 {g} 추가: 자신의 커밋 오프셋으로 orders를 읽습니다"),
    ("member_closed", "consumer #{c} closed: LeaveGroup, the group rebalances now", "컨슈머 #{c} 종료: LeaveGroup, 그룹이 즉시 리밸런싱합니다"),
    ("member_crashed", "consumer #{c} crashed: the coordinator removes it after session.timeout.ms", "컨슈머 #{c} 장애: 코디네이터가 session.timeout.ms 후에 제거합니다"),
    ("member_restarted", "consumer #{c} restarted", "컨슈머 #{c} 재시작"),
    ("member_slowed", "consumer #{c} now takes {ms} ms per record", "컨슈머 #{c}의 레코드당 처리 시간: {ms} ms"),
    ("fault", "Fault (KIND:TARGET@T..T2, +T = from now)", "장애 주입 (종류:대상@T..T2, +T = 지금부터)"),
    ("apply_fault", "Inject", "주입"),
    ("end_faults", "End all faults", "모든 장애 종료"),
    ("fault_scheduled", "fault scheduled", "장애 예약됨"),
    ("drain", "Drain (stop sending)", "드레인 (전송 중지)"),
    ("drain_started", "Draining: every fault ended and the applications stop sending; the run goes on until the liveness monitor finds it settled or stuck (limit {t}, pushed on while a Kafka timeout is pending)", "드레인 중: 모든 장애를 끝내고 애플리케이션은 전송을 멈춥니다. 라이브니스 모니터가 정리 완료 또는 진행 멈춤으로 판단할 때까지 실행합니다(한도 {t}, Kafka 타임아웃이 남아 있으면 연장)"),
    ("drain_over", "Drain over: see the liveness line under the canvas", "드레인 끝: 캔버스 아래 라이브니스 줄을 보세요"),
    ("live_draining", "Draining: {n} parts not settled yet", "드레인 중: 아직 정리되지 않은 부분 {n}개"),
    ("live_waiting", " (waiting for {what})", " (대기 중: {what})"),
    ("live_settled", "Settled at {t}", "정리 완료: {t}"),
    ("live_after", " after waiting for {what}", " (기다린 타임아웃: {what})"),
    ("live_stuck", "Stuck:", "진행 멈춤:"),
    ("stuck_here", "stuck", "진행 멈춤"),
    ("faults_ended", "every fault ended: brokers restarted, links healed, responses get through", "모든 장애 종료: 브로커 재시작, 링크 복구, 응답 전달 재개"),
    ("fault_box_hint", "Examples: cut:broker=0,broker=2@+0s..+5s (the link down for 5 s) · delay:broker=1,producer,50ms · drop:broker=0,consumer=1,30%@+0s..+3s · drop-responses:broker=1@+0s..+2s (requests processed, answers lost: without idempotence, retries write twice) · crash:leader=orders-0,ahead (the leader dies right after an append, before its followers fetch it). The counters below (invariant monitor) judge from the acknowledgements and the leaders' logs only.", "예: cut:broker=0,broker=2@+0s..+5s (5초간 링크 끊김) · delay:broker=1,producer,50ms · drop:broker=0,consumer=1,30%@+0s..+3s · drop-responses:broker=1@+0s..+2s (요청은 처리되고 응답만 유실: 멱등성이 꺼져 있으면 재시도가 두 번 기록) · crash:leader=orders-0,ahead (리더가 기록 직후, 팔로워가 가져가기 전에 중단). 아래 카운터(불변식 감시)는 확인 응답과 리더 로그만 보고 판단합니다."),
    ("apply", "Apply", "적용"),
    ("applied", "Applied", "적용됨"),
    ("on_reset", "takes effect on Reset (this setting cannot change live yet)", "초기화 시 적용 (이 설정은 아직 실행 중에 바꿀 수 없음)"),
    ("producer", "Producer", "프로듀서"),
    ("accumulator", "RecordAccumulator", "RecordAccumulator"),
    ("accumulator_sub", "bar: bytes / batch.size ({batch_size} B); arc: linger.ms", "막대: 바이트 / batch.size ({batch_size} B); 호: linger.ms"),
    ("brokers", "Brokers", "브로커"),
    ("brokers_sub", "KRaft cluster (no ZooKeeper) · L leader, F follower · LEO dark, HW green", "KRaft 클러스터 (주키퍼 없음) · L 리더, F 팔로워 · LEO 검정, HW 초록"),
    ("producer_sub", "KafkaProducer instance", "KafkaProducer 인스턴스"),
    ("group_sub", "members, assigned partitions, lag", "멤버, 할당된 파티션, 랙"),
    ("broker", "Broker", "브로커"),
    ("group", "Consumer group", "컨슈머 그룹"),
    ("consumer", "Consumer", "컨슈머"),
    ("sent", "sent", "전송"),
    ("acked", "acknowledged", "확인 응답"),
    ("failed", "failed", "실패"),
    ("consumed", "consumed", "소비"),
    ("lag_chart", "lag 60 s (position / committed) · peak {max}", "60초 랙 (위치 / 커밋) · 최대 {max}"),
    ("member_joining", "joining (JoinGroup)", "참여 중 (JoinGroup)"),
    ("member_syncing", "syncing (SyncGroup)", "동기화 중 (SyncGroup)"),
    ("member_unjoined", "not in the group", "그룹 밖"),
    ("member_stopped", "stopped", "중단됨"),
    ("lag", "lag", "랙"),
    ("leader", "leader", "리더"),
    ("follower", "follower", "팔로워"),
    ("hw", "HW", "HW"),
    ("leo", "LEO", "LEO"),
    ("lost_here", "acknowledged, lost:", "확인 후 유실:"),
    ("buffer", "buffer.memory {used} of {total}", "buffer.memory {total} 중 {used}"),
    ("in_flight", "in flight", "전송 중"),
    ("closing", "closing: finishing its batches", "종료 중: 남은 배치 처리"),
    ("closed", "closed", "종료됨"),
    ("idempotent", "idempotent", "멱등성"),
    ("not_idempotent", "not idempotent", "멱등성 꺼짐"),
    ("pid", "producer id", "프로듀서 ID"),
    ("time", "simulated time", "시뮬레이션 시간"),
    ("events", "events", "이벤트"),
    ("coordinator", "coordinator", "코디네이터"),
    ("generation", "generation", "세대"),
    ("assignor_range", "RangeAssignor (Kafka's default choice)", "RangeAssignor (카프카 기본 선택)"),
    ("keyless", "no key", "키 없음"),
    ("legend", "Colour = key (grey: no key). In a broker each row is one replica: L leader, F follower; the squares are its log offsets, the dark line its log end offset (LEO), the green line its high watermark (HW: consumers read below it). A hatched grey row is a replica out of the ISR. Along the dashed lane right of the brokers, rings going to a leader are follower fetches and dots coming back are the records they copy; green dots going back to the producer are acknowledgements (red: an error). A red outline marks a record written twice in one log.", "색 = 키 (회색: 키 없음). 브로커 안의 각 줄은 레플리카 하나입니다: L 리더, F 팔로워. 칸은 로그 오프셋, 검은 선은 로그 끝 오프셋(LEO), 초록 선은 하이 워터마크(HW: 컨슈머는 이 아래만 읽음)입니다. 회색 빗금 줄은 ISR 밖의 레플리카입니다. 브로커 오른쪽 점선을 따라 리더로 가는 고리는 팔로워 페치이고, 돌아오는 점은 복사할 레코드입니다. 프로듀서로 돌아가는 초록 점은 확인 응답입니다(빨강: 오류). 빨간 테두리는 한 로그에 두 번 기록된 레코드입니다."),
    ("restart_note", "Kafka fixes producer settings at construction: changing one closes this producer (its batches finish first) and creates a new one with a new producer id.", "카프카 프로듀서 설정은 생성 시 고정됩니다: 설정을 바꾸면 기존 프로듀서를 닫고(남은 배치는 먼저 완료) 새 프로듀서 ID로 새 프로듀서를 만듭니다."),
    ("idempotence_note", "enable.idempotence left unset turns off when acks is not all; set explicitly with acks 0 or 1 it is a config error.", "enable.idempotence를 지정하지 않으면 acks가 all이 아닐 때 꺼집니다. acks 0 또는 1과 함께 명시적으로 켜면 설정 오류입니다."),
    ("kraft_note", "Older material (including the seed material) has ZooKeeper electing leaders; Kafka 4.0 removed ZooKeeper: here, as in Kafka 4, a KRaft controller places replicas, fences brokers and elects leaders.", "예전 자료(원본 자료 포함)는 주키퍼가 리더를 선출한다고 설명하지만, 카프카 4.0에서 주키퍼는 제거되었습니다: 여기서는 카프카 4처럼 KRaft 컨트롤러가 레플리카 배치, 브로커 펜싱, 리더 선출을 맡습니다."),
    ("preset_note", "Preset: 3 brokers, topic orders with 6 partitions and replication factor 3, group g1 reading from earliest, group.initial.rebalance.delay.ms=0 as in Kafka's development server.properties.", "프리셋: 브로커 3개, 파티션 6개와 복제 계수 3인 orders 토픽, earliest부터 읽는 g1 그룹, 카프카 개발용 server.properties처럼 group.initial.rebalance.delay.ms=0."),
    ("error", "Refused", "거부됨"),
    ("paused", "paused", "일시정지됨"),
    ("playing", "playing", "재생 중"),
    ("speed_unit", "x real time", "배 실제 시간"),
    ("catching_up", "catching up", "따라잡는 중"),
    // The canvas: accumulator rows, departures, producer box.
    ("acc_records", "{n} rec · {bytes} B", "{n}건 · {bytes} B"),
    ("acc_more", "+{n} more", "+{n}개 더"),
    ("lane_ready", "ready →", "준비됨 →"),
    ("lane_piggyback", "rode along →", "편승 →"),
    ("partitions_hidden", "+{n} more partitions not drawn", "파티션 {n}개 더 (그리지 않음)"),
    ("compression_slot", "compression: {type} (ratio {ratio})", "압축: {type} (비율 {ratio})"),
    ("in_flight_requests", "requests in flight: {n}", "전송 중인 요청: {n}"),
    ("blocked", "send() blocked on buffer.memory for {ms} ms (max.block.ms {max})", "send()가 buffer.memory 때문에 {ms} ms째 대기 중 (max.block.ms {max})"),
    ("sync_waiting", "send().get() is waiting for the acknowledgement of record {id}", "send().get()이 레코드 {id}의 확인 응답을 기다리는 중"),
    ("async_sending", "send() returns at once; a callback reports each acknowledgement", "send()는 바로 반환되고, 확인 응답은 콜백으로 전달됨"),
    ("sync_idle", "send().get(): acknowledged, the next send() comes at the produce rate", "send().get(): 확인 응답 받음, 다음 send()는 생산 속도에 맞춰 호출됨"),
    ("app_status", "Application", "애플리케이션"),
    ("no_producer", "no running producer", "실행 중인 프로듀서 없음"),
    ("legend_acc", "Accumulator: each row is a partition's queue of batches. The bar fills toward batch.size, the arc runs out with linger.ms (red: lingered). An orange outline marks a batch the sender will take now (full, lingered, or another batch behind it). When a produce request leaves, the right end of each row shows the batch that left: orange \"ready\", or blue dashed \"rode along\" (piggyback: not ready itself, but its partition has the same leader, so the sender drained it into the same request). The same outlines mark the batches inside requests in flight.", "어큐뮬레이터: 각 줄은 파티션 하나의 배치 큐입니다. 막대는 batch.size를 향해 채워지고, 호는 linger.ms가 지나면 다 찹니다(빨강: linger 끝남). 주황 테두리는 센더가 지금 가져갈 배치입니다(가득 참, linger 끝남, 또는 뒤에 다른 배치가 있음). 프로듀스 요청이 나가면 각 줄의 오른쪽 끝에 떠난 배치가 보입니다: 주황 \"준비됨\", 또는 파란 점선 \"편승\"(스스로는 준비되지 않았지만 리더가 같은 파티션이라 센더가 같은 요청에 함께 담음). 전송 중인 요청 안의 배치에도 같은 테두리가 표시됩니다."),
    ("click_hint", "Click a record (a dot, or a square in a broker's log) to inspect it; click a partition label (P0, P1, …) for the partition's state.", "레코드(점, 또는 브로커 로그의 칸)를 누르면 자세히 볼 수 있고, 파티션 이름(P0, P1, …)을 누르면 파티션 상태를 볼 수 있습니다."),
    ("canvas_label", "Producer, accumulator, brokers and consumers; click a record to inspect it", "프로듀서, 어큐뮬레이터, 브로커, 컨슈머; 레코드를 누르면 자세히 보기"),
    // The record inspector.
    ("inspector", "Record inspector", "레코드 살펴보기"),
    ("close", "Close", "닫기"),
    ("insp.gone", "Record {id} is no longer in the journal: the simulator keeps the details of the last {n} records only.", "레코드 {id}은(는) 더 이상 저널에 없습니다: 시뮬레이터는 최근 레코드 {n}개의 세부 정보만 보관합니다."),
    ("insp.record", "Record", "레코드"),
    ("insp.record_fmt", "{id} (producer id {pid})", "{id} (프로듀서 ID {pid})"),
    ("insp.topic", "Topic", "토픽"),
    ("insp.key", "Key", "키"),
    ("insp.null_key", "null (no key)", "null (키 없음)"),
    ("insp.key_bytes", "Key bytes", "키 바이트"),
    ("insp.bytes_fmt", "{hex} ({n} bytes)", "{hex} ({n}바이트)"),
    ("insp.key_serializer", "Key serializer", "키 직렬화기"),
    ("insp.value", "Value", "값"),
    ("insp.value_fmt", "{n} bytes, {ser}", "{n}바이트, {ser}"),
    ("insp.headers", "Headers", "헤더"),
    ("insp.no_headers", "none", "없음"),
    ("insp.header_fmt", "{name} ({n} B)", "{name} ({n} B)"),
    ("insp.timestamp", "Timestamp", "타임스탬프"),
    ("insp.timestamp_fmt", "{t} simulated (CreateTime)", "시뮬레이션 {t} (CreateTime)"),
    ("insp.size", "Serialized size", "직렬화 크기"),
    ("insp.size_fmt", "{n} B inside its batch", "배치 안에서 {n} B"),
    ("insp.partition", "Partition", "파티션"),
    ("insp.batch", "Batch", "배치"),
    ("insp.why", "Why this partition", "이 파티션인 이유"),
    ("insp.outcome", "Outcome", "결과"),
    ("insp.outcome.pending", "pending: queued or in flight", "대기 중: 배치에 있거나 전송 중"),
    ("insp.outcome.acked", "acknowledged at offset {o}", "오프셋 {o}에서 확인 응답"),
    ("insp.outcome.acked_no_offset", "acknowledged without an offset (acks=0: no response, offset -1)", "오프셋 없이 확인 (acks=0: 응답 없음, 오프셋 -1)"),
    ("insp.outcome.failed", "failed: {e}", "실패: {e}"),
    ("why.key_hash", "key hash: toPositive(murmur2(key bytes)) % {n} = {p} (murmur2 = {h})", "키 해시: toPositive(murmur2(키 바이트)) % {n} = {p} (murmur2 = {h})"),
    ("why.builtin", "built-in sticky partitioner (no key): partition {p} is kept until batch.size ({bs} B) has gone to it and its batch is full, or 2 × batch.size ({bs2} B) regardless, so it switches on a batch boundary after {bs} to {bs2} bytes; the next partition is drawn at random{adaptive}.", "내장 스티키 파티셔너 (키 없음): batch.size({bs} B) 이상이 이 파티션으로 가고 배치가 가득 찰 때까지, 또는 어떤 경우든 2 × batch.size({bs2} B)까지 파티션 {p}에 머뭅니다. 즉 {bs}~{bs2}바이트 뒤 배치 경계에서 바뀌고, 다음 파티션은 무작위로 고릅니다{adaptive}."),
    ("why.adaptive", ", favouring partitions with shorter queues (adaptive partitioning)", " (적응형 파티셔닝: 큐가 짧은 파티션일수록 자주 선택)"),
    ("why.legacy", "legacy sticky partitioner (2.4 to 3.2, no key): partition {p} until a new batch is created for it, then a random other partition with a leader.", "구 스티키 파티셔너 (2.4~3.2, 키 없음): 이 파티션에 새 배치가 생길 때까지 파티션 {p}에 머물고, 그다음 리더가 있는 다른 파티션을 무작위로 고릅니다."),
    ("why.round_robin", "round-robin: counter {c} → partition {p} (RoundRobinPartitioner: the counter over the partitions with a leader)", "라운드 로빈: 카운터 {c} → 파티션 {p} (RoundRobinPartitioner: 리더가 있는 파티션을 카운터 순서로)"),
    ("why.explicit", "explicit partition: the application named partition {p} in its ProducerRecord", "명시적 파티션: 애플리케이션이 ProducerRecord에 파티션 {p}을(를) 지정함"),
    ("insp.partition_title", "Partition {p} of {topic}", "{topic} 토픽의 파티션 {p}"),
    ("insp.leader", "Leader", "리더"),
    ("insp.leader_fmt", "broker {b} (leader epoch {e})", "브로커 {b} (리더 에포크 {e})"),
    ("insp.offline", "none (offline)", "없음 (오프라인)"),
    ("insp.replicas", "Replicas", "레플리카"),
    ("insp.isr", "In-sync replicas (ISR)", "동기화된 레플리카 (ISR)"),
    ("insp.leo", "Log end offset (LEO)", "로그 끝 오프셋 (LEO)"),
    ("insp.hw", "High watermark (HW)", "하이 워터마크 (HW)"),
    ("insp.log_start", "Log start offset", "로그 시작 오프셋"),
    ("insp.on_broker", "Replica on broker {b}", "브로커 {b}의 레플리카"),
    ("insp.replica_fmt", "{role}, {isr}: LEO {leo}, HW {hw}", "{role}, {isr}: LEO {leo}, HW {hw}"),
    ("in_isr", "in the ISR", "ISR 안"),
    // The key -> partition calculator.
    ("calc_title", "Key → partition calculator", "키 → 파티션 계산기"),
    ("calc_key", "Key", "키"),
    ("calc_partitions", "Number of partitions", "파티션 수"),
    ("calc_bytes", "Key bytes (UTF-8): {hex}", "키 바이트 (UTF-8): {hex}"),
    ("calc_client", "Client", "클라이언트"),
    ("calc_partition", "Partition", "파티션"),
    ("calc_how", "How", "계산"),
    ("calc_java", "Java client (Kafka's partitioner)", "자바 클라이언트 (카프카 파티셔너)"),
    ("calc_java_how", "toPositive(murmur2(key)) % {n}; murmur2 = {h}", "toPositive(murmur2(키)) % {n}; murmur2 = {h}"),
    ("calc_rdkafka", "librdkafka default (consistent_random)", "librdkafka 기본값 (consistent_random)"),
    ("calc_rdkafka_how", "CRC-32(key) % {n}; CRC-32 = {c}", "CRC-32(키) % {n}; CRC-32 = {c}"),
    ("calc_random", "random", "무작위"),
    ("calc_rdkafka_empty", "an empty key goes to a random partition in librdkafka (the Java client hashes it)", "librdkafka는 빈 키를 무작위 파티션으로 보냄 (자바 클라이언트는 해시함)"),
    ("calc_note", "The same key can land on different partitions from different clients: the Java client hashes keys with murmur2, librdkafka's default (confluent-kafka for Python, Go, .NET) with CRC-32. Set partitioner=murmur2_random in librdkafka to place keys as Java does.", "같은 키라도 클라이언트에 따라 다른 파티션으로 갈 수 있습니다: 자바 클라이언트는 murmur2로, librdkafka의 기본값(파이썬, Go, .NET용 confluent-kafka)은 CRC-32로 키를 해시합니다. librdkafka에서 partitioner=murmur2_random으로 설정하면 자바와 같은 파티션에 놓입니다."),
    ("calc_same", "Here both clients pick the same partition (by chance).", "이 키는 두 클라이언트가 (우연히) 같은 파티션을 고릅니다."),
    ("calc_differ", "Here the two clients pick different partitions.", "이 키는 두 클라이언트가 서로 다른 파티션을 고릅니다."),
    ("calc_invalid", "{field}: '{value}' is not valid: expected an integer from 1 to 2147483647", "{field}: '{value}'은(는) 올바르지 않습니다: 1부터 2147483647까지의 정수여야 합니다"),
    // Adding partitions while keyed records flow.
    ("remap_title", "Keys that now land on another partition", "이제 다른 파티션으로 가는 키"),
    ("remap_summary", "Partitions {old} → {new}: {moved} of {keys} keys now hash to another partition.", "파티션 {old} → {new}: 키 {keys}개 중 {moved}개가 이제 다른 파티션으로 해시됩니다."),
    ("remap_warning", "Warning: adding partitions moves keys. A key's records written before and after the change sit on different partitions, so its order is lost across the change. Do not change the partition count of a topic whose consumers rely on keys.", "경고: 파티션을 늘리면 키가 옮겨 갑니다. 변경 전후에 쓴 같은 키의 레코드가 서로 다른 파티션에 놓여 변경 시점을 넘어서는 순서가 보장되지 않습니다. 키에 의존하는 컨슈머가 있는 토픽의 파티션 수는 바꾸지 마세요."),
    ("remap_key", "Key", "키"),
    ("remap_before", "Partition before", "이전 파티션"),
    ("remap_after", "Partition after", "이후 파티션"),
    ("remap_more", "… and {n} more keys", "… 외 키 {n}개"),
    ("remap_keyless", "sim.keys=0: every record is keyless, no key moves.", "sim.keys=0: 모든 레코드에 키가 없어 옮겨 가는 키가 없습니다."),
    ("remap_applied", "{moved} of {keys} keys moved to another partition (table below the canvas)", "키 {keys}개 중 {moved}개가 다른 파티션으로 옮겨 감 (캔버스 아래 표)"),
    ("msg.produce", "produce request", "프로듀스 요청"),
    ("msg.ack", "acknowledgement", "확인 응답"),
    ("msg.replica", "follower fetch", "팔로워 페치"),
    ("msg.fetch", "consumer fetch", "컨슈머 페치"),
    ("msg.group", "group protocol", "그룹 프로토콜"),
    // Transactions (issue 6): the control box, the canvas, the inspector.
    ("txn_title", "Transactions", "트랜잭션"),
    ("txn_live", "Producer, applies now (a new producer instance):", "프로듀서, 바로 적용 (새 프로듀서 인스턴스):"),
    ("txn_enable", "transactional.id = tx-1", "transactional.id = tx-1"),
    ("txn_records", "records per transaction (0: only the buttons)", "트랜잭션당 레코드 수 (0: 버튼으로만)"),
    ("txn_abort_percent", "% aborted", "% 중단(abort)"),
    ("txn_calls", "The application calls, now:", "애플리케이션 호출, 즉시:"),
    ("txn_begin", "Begin", "시작 (begin)"),
    ("txn_commit", "Commit", "커밋 (commit)"),
    ("txn_abort", "Abort", "중단 (abort)"),
    ("txn_zombie_btn", "Start zombie (same transactional.id)", "좀비 시작 (같은 transactional.id)"),
    ("txn_reset", "Cluster and consumers, apply on Reset:", "클러스터와 컨슈머, 초기화 시 적용:"),
    ("txn_compare", "side by side: group g2 with the other isolation.level", "나란히 보기: 다른 isolation.level을 쓰는 그룹 g2"),
    // The consume-transform-produce pipeline (issue 6).
    ("pipe_reset", "Consume-transform-produce pipeline, applies on Reset:", "컨슘-변환-프로듀스 파이프라인, 초기화 시 적용:"),
    ("pipe_enable", "pipeline (sim.pipeline=ctp)", "파이프라인 (sim.pipeline=ctp)"),
    ("pipe_processors", "processors", "프로세서 수"),
    ("pipe_live", "Processors, now (the hidden twin with the other guarantee gets the same):", "프로세서, 즉시 (다른 보장 수준의 숨은 쌍둥이 시뮬레이션도 똑같이):"),
    ("pipe_processor", "processor #", "프로세서 #"),
    ("pipe_in_txn", "mid-transaction (between a produce and its commit)", "트랜잭션 도중 (프로듀스와 커밋 사이)"),
    ("pipe_crash", "Crash processor", "프로세서 장애"),
    ("pipe_restart_same", "Restart (same transactional.id)", "재시작 (같은 transactional.id)"),
    ("pipe_restart_new", "Restart (new transactional.id)", "재시작 (새 transactional.id)"),
    ("pipe_status_off", "Pipeline: off (turn it on and Reset)", "파이프라인: 꺼짐 (켜고 초기화하세요)"),
    ("pipe_status_head", "Pipeline {g} (twin: {other})", "파이프라인 {g} (쌍둥이: {other})"),
    ("pipe_processor_line", "processor {n} (consumer {c}): {phase} · {id} · processed {p} · commits {k} · aborts {a}", "프로세서 {n} (컨슈머 {c}): {phase} · {id} · 처리 {p} · 커밋 {k} · 중단 {a}"),
    ("pipe_txn_id", "{id} epoch {e}", "{id} 에포크 {e}"),
    ("pipe_no_txn_id", "no transactional.id", "transactional.id 없음"),
    ("pipe_counts_off", "duplicates in the output: exactly_once_v2 — · at_least_once — (pipeline off)", "출력의 중복: exactly_once_v2 — · at_least_once — (파이프라인 꺼짐)"),
    ("pipe_counts", "duplicates in the output: exactly_once_v2 {eos} · at_least_once {alos} · not (yet) in the output: {eos_missing} · {alos_missing} · aborted records read by read_committed: {eos_aborted} · {alos_aborted} · processor crashes: {eos_crashes} · {alos_crashes}", "출력의 중복: exactly_once_v2 {eos} · at_least_once {alos} · 출력에 (아직) 없음: {eos_missing} · {alos_missing} · read_committed가 읽은 중단된 레코드: {eos_aborted} · {alos_aborted} · 프로세서 장애: {eos_crashes} · {alos_crashes}"),
    ("pipe_bad_index", "processor #: '{raw}' is not a processor number (0, 1, ...)", "프로세서 #: '{raw}'은(는) 프로세서 번호가 아닙니다 (0, 1, ...)"),
    ("pipe_box_title", "processor {n} · {phase}", "프로세서 {n} · {phase}"),
    ("pipe_crash_scheduled", "processor {n} crashes at its next moment between a produce and its commit (within 5 s), in both simulations; it stays down until Restart", "프로세서 {n}은(는) 다음 프로듀스와 커밋 사이 순간(5초 이내)에 두 시뮬레이션 모두에서 장애가 납니다. 재시작할 때까지 멈춰 있습니다"),
    ("pipe_crashed", "processor {n} crashed (consumer and producer) in both simulations; an open transaction stays open", "프로세서 {n} 장애 (컨슈머와 프로듀서), 두 시뮬레이션 모두. 열린 트랜잭션은 열린 채로 남습니다"),
    ("pipe_restarted_same", "processor {n} restarted with the same transactional.id: InitProducerId bumps the epoch, fences the old instance and aborts its open transaction", "프로세서 {n}이(가) 같은 transactional.id로 재시작: InitProducerId가 에포크를 올리고 이전 인스턴스를 펜싱하며 열린 트랜잭션을 중단합니다"),
    ("pipe_restarted_new", "processor {n} restarted with a new transactional.id: its old transaction stays open until transaction.timeout.ms (10 s), holding the output's LSO back", "프로세서 {n}이(가) 새 transactional.id로 재시작: 이전 트랜잭션은 transaction.timeout.ms(10초)까지 열린 채 출력의 LSO를 붙잡습니다"),
    ("pipe_hint", "The pipeline: processors (group ctp) read the first topic and write each record to topic output; a read_committed verifier (group verifier) reads output and counts each input record's outputs. at_least_once produces, flushes, then commits offsets: a crash in between repeats work (duplicates). exactly_once_v2 puts each poll's output and offsets in one transaction: a crash aborts it, and nothing is duplicated. A hidden twin with the same seed and the other guarantee gets the same crashes, for the side-by-side count.", "파이프라인: 프로세서(그룹 ctp)가 첫 토픽을 읽어 각 레코드를 토픽 output에 씁니다. read_committed 검증기(그룹 verifier)가 output을 읽고 입력 레코드마다 출력 횟수를 셉니다. at_least_once는 프로듀스, flush 후 오프셋을 커밋하므로 그 사이의 장애는 작업을 반복합니다(중복). exactly_once_v2는 poll마다 출력과 오프셋을 한 트랜잭션에 넣으므로 장애가 나면 트랜잭션이 중단되고 중복이 없습니다. 같은 시드와 다른 보장 수준의 숨은 쌍둥이 시뮬레이션이 같은 장애를 겪어 나란히 셉니다."),
    ("txn_hint", "Begin needs records per transaction = 0 (else the application begins and commits by itself) and READY; Commit and Abort need IN_TRANSACTION. The coordinator moves the transaction Ongoing → PrepareCommit / PrepareAbort, writes a COMMIT / ABORT marker into every partition of the transaction, then CompleteCommit / CompleteAbort. A read_committed consumer stops at the last stable offset (purple line) until then; read_uncommitted reads to the high watermark. Start zombie: a second instance with the same transactional.id calls InitProducerId, the epoch goes up, and the old instance is fenced at its next request.", "시작하려면 트랜잭션당 레코드 수가 0이어야 하고(아니면 애플리케이션이 스스로 시작하고 커밋합니다) 상태가 READY여야 합니다. 커밋과 중단은 IN_TRANSACTION에서만 됩니다. 코디네이터는 트랜잭션을 Ongoing → PrepareCommit / PrepareAbort로 옮기고, 트랜잭션의 모든 파티션에 COMMIT / ABORT 마커를 쓴 뒤 CompleteCommit / CompleteAbort가 됩니다. 그때까지 read_committed 컨슈머는 마지막 안정 오프셋(보라색 선)에서 멈추고, read_uncommitted는 하이 워터마크까지 읽습니다. 좀비 시작: 같은 transactional.id의 두 번째 인스턴스가 InitProducerId를 호출하면 에포크가 올라가고, 이전 인스턴스는 다음 요청에서 펜싱됩니다."),
    ("txn_status_off", "Transactions: off (no transactional.id)", "트랜잭션: 꺼짐 (transactional.id 없음)"),
    ("txn_status", "Transactions: {id} · producer id {pid}, epoch {e} · client {client} · coordinator broker {b}: {state} {parts}", "트랜잭션: {id} · 프로듀서 ID {pid}, 에포크 {e} · 클라이언트 {client} · 코디네이터 브로커 {b}: {state} {parts}"),
    ("txn_begun", "beginTransaction(): the next records belong to the transaction; each new partition is added to it at the coordinator", "beginTransaction(): 다음 레코드부터 트랜잭션에 속하며, 새 파티션마다 코디네이터의 트랜잭션에 추가됩니다"),
    ("txn_committing", "commitTransaction(): the batches flush, then EndTxn(COMMIT): PrepareCommit, COMMIT markers, CompleteCommit", "commitTransaction(): 배치를 모두 보낸 뒤 EndTxn(COMMIT): PrepareCommit, COMMIT 마커, CompleteCommit"),
    ("txn_aborting", "abortTransaction(): unsent batches fail, then EndTxn(ABORT): PrepareAbort, ABORT markers, CompleteAbort", "abortTransaction(): 보내지 않은 배치는 실패하고 EndTxn(ABORT): PrepareAbort, ABORT 마커, CompleteAbort"),
    ("txn_zombie_started", "A second instance with transactional.id {id} started: its InitProducerId bumps the epoch; the old instance (epoch {e}) is now a zombie, fenced at its next request", "transactional.id {id}의 두 번째 인스턴스 시작: InitProducerId가 에포크를 올립니다. 이전 인스턴스(에포크 {e})는 이제 좀비이며 다음 요청에서 펜싱됩니다"),
    ("txn_compare_on", "group {g} reading with isolation.level={l} beside the first group: on Reset", "첫 그룹 옆에 isolation.level={l}로 읽는 그룹 {g}: 초기화 시 적용"),
    ("txn_compare_off", "no group {g} after Reset", "초기화 후 그룹 {g} 없음"),
    ("txn_coordinator", "txn coordinator", "트랜잭션 코디네이터"),
    ("txn_zombie", "zombie: same transactional.id", "좀비: 같은 transactional.id"),
    ("txn_zombie_line", "epoch {e} · {s}", "에포크 {e} · {s}"),
    ("txn_fenced_line", "fenced: {err}", "펜싱됨: {err}"),
    ("txn_not_fenced", "still sending: not fenced yet", "아직 전송 중: 펜싱 전"),
    ("txn_client_line", "client {s}", "클라이언트 {s}"),
    ("txn_producer_line", "transactional.id {id} · epoch {e}", "transactional.id {id} · 에포크 {e}"),
    ("txn_error_line", "fenced: {err} (fatal: it stops)", "펜싱됨: {err} (치명적 오류: 중단)"),
    ("txn_counts_line", "committed {c} · aborted {a}", "커밋 {c} · 중단 {a}"),
    ("txn_waits_lso", " · waits at LSO", " · LSO에서 대기"),
    ("lso", "LSO", "LSO"),
    ("brokers_sub_txn", "L leader, F follower · LEO dark, HW green, LSO purple · ▲ position", "L 리더, F 팔로워 · LEO 검정, HW 초록, LSO 보라 · ▲ 컨슈머 위치"),
    ("legend_txn", "Transactions: a tile with a green C or red A frame is a COMMIT / ABORT control marker (it takes an offset, is never returned to an application); records of a transaction still open have a purple bracket over them and their partition label is framed; the purple line is the last stable offset (LSO), below which read_committed consumers read; ▲ under a leader row is a consumer's position (purple: read_committed, orange: read_uncommitted). Click a marker to inspect it.", "트랜잭션: 초록 C 또는 빨강 A 테두리 타일은 COMMIT / ABORT 컨트롤 마커입니다(오프셋을 차지하지만 애플리케이션에 절대 반환되지 않음). 아직 열린 트랜잭션의 레코드 위에는 보라색 괄호가, 파티션 이름에는 테두리가 생깁니다. 보라색 선은 마지막 안정 오프셋(LSO)이며 read_committed 컨슈머는 그 아래까지만 읽습니다. 리더 행 아래 ▲는 컨슈머 위치입니다(보라: read_committed, 주황: read_uncommitted). 마커를 누르면 자세히 볼 수 있습니다."),
    ("insp.marker", "Control marker", "컨트롤 마커"),
    ("insp.marker_commit", "COMMIT marker (a control record)", "COMMIT 마커 (컨트롤 레코드)"),
    ("insp.marker_abort", "ABORT marker (a control record)", "ABORT 마커 (컨트롤 레코드)"),
    ("insp.offset", "Offset", "오프셋"),
    ("insp.epoch", "Producer epoch", "프로듀서 에포크"),
    ("insp.marker_read", "Returned to applications", "애플리케이션에 반환"),
    ("insp.marker_never", "never: it takes an offset and is replicated like a record, but no consumer returns it; positions move past it", "절대 반환되지 않음: 레코드처럼 오프셋을 차지하고 복제되지만 어떤 컨슈머도 반환하지 않으며, 위치는 그 뒤로 넘어갑니다"),
    ("txn_marker_gone", "This offset holds no control marker any more (retention or truncation removed it).", "이 오프셋에는 더 이상 컨트롤 마커가 없습니다 (보존 정책이나 잘라내기로 삭제됨)."),
    ("insp.lso", "Last stable offset (LSO)", "마지막 안정 오프셋 (LSO)"),
    ("insp.lso_equal", "{lso} = HW: no open transaction holds it back", "{lso} = HW: 붙잡고 있는 열린 트랜잭션 없음"),
    ("insp.lso_held", "{lso}: held at offset {first}, the first record of producer id {pid}'s open transaction; read_committed consumers stop here", "{lso}: 프로듀서 ID {pid}의 열린 트랜잭션 첫 레코드인 오프셋 {first}에 묶임; read_committed 컨슈머는 여기서 멈춤"),
    ("insp.aborted_index", "Aborted transactions (index)", "중단된 트랜잭션 (인덱스)"),
    // Consumer groups: the group panels, the rebalance phase indicator, the group lag chart,
    // the protocol choice and Add partition (issue 5).
    ("grp_head", "{g} · gen {gen} · {assignor}", "{g} · 세대 {gen} · {assignor}"),
    ("grp_coordinator", "coordinator: broker {b}", "코디네이터: 브로커 {b}"),
    ("grp_phase_empty", "Empty", "Empty"),
    ("grp_phase_join", "Join", "참여"),
    ("grp_phase_assign", "Assign", "할당"),
    ("grp_phase_sync", "Sync", "동기화"),
    ("grp_phase_stable", "Stable", "안정"),
    ("grp_phase_dead", "Dead", "Dead"),
    ("grp_desc_empty", "Empty: no members; the first JoinGroup starts a rebalance", "Empty: 멤버가 없음. 첫 JoinGroup이 리밸런싱을 시작합니다"),
    ("grp_desc_dead", "Dead: the group is gone", "Dead: 그룹이 사라짐"),
    ("grp_desc_join", "PreparingRebalance: JoinGroup from {n} of {m} members (the rest learn it from their next heartbeat)", "PreparingRebalance: 멤버 {m}명 중 {n}명이 JoinGroup을 보냄 (나머지는 다음 하트비트에서 알게 됨)"),
    ("grp_desc_assign", "CompletingRebalance: the leader, consumer #{c}, computes the assignment with {assignor}", "CompletingRebalance: 리더인 컨슈머 #{c}가 {assignor}로 할당을 계산"),
    ("grp_desc_sync", "SyncGroup: the coordinator hands the leader's assignment to {n} members", "SyncGroup: 코디네이터가 리더의 할당을 멤버 {n}명에게 전달"),
    ("grp_desc_stable", "Stable: every member has its partitions and heartbeats", "Stable: 모든 멤버가 파티션을 받고 하트비트를 보냄"),
    ("grp_rebalance_eager", "eager: members revoke all their partitions and stop processing until SyncGroup", "eager: 멤버가 모든 파티션을 회수하고 SyncGroup까지 처리를 멈춤"),
    ("grp_rebalance_cooperative", "cooperative: members keep consuming; only moved partitions are revoked, then handed over", "cooperative: 멤버가 계속 소비하고, 옮겨지는 파티션만 회수한 뒤 넘김"),
    ("grp_rebalance_mixed", "mixed: eager members revoke everything, cooperative ones keep theirs", "혼합: eager 멤버는 모두 회수하고 cooperative 멤버는 유지"),
    ("grp_last_rebalance", "last rebalance → generation {gen}: {ms} ms, {cause}", "최근 리밸런싱 → 세대 {gen}: {ms} ms, {cause}"),
    ("grp_formed", "generation {gen}: the group formed at {t} s (its first join)", "세대 {gen}: {t}초에 그룹이 만들어짐 (첫 참여)"),
    ("grp_cause_joined", "consumer #{c} joined", "컨슈머 #{c} 참여"),
    ("grp_cause_left", "consumer #{c} left", "컨슈머 #{c} 떠남"),
    ("grp_cause_rejoined", "consumer #{c} rejoined", "컨슈머 #{c} 재참여"),
    ("grp_cause_expired", "consumer #{c}'s session expired", "컨슈머 #{c} 세션 만료"),
    ("grp_chart_title", "group lag", "그룹 랙"),
    ("grp_legend_lag", "lag", "랙"),
    ("grp_legend_committed", "committed lag", "커밋 랙"),
    ("grp_axis_lag", "rec.", "레코드"),
    ("grp_axis_start", "−60 s", "−60초"),
    ("grp_axis_now", "now", "지금"),
    ("grp_leader", "leader", "리더"),
    ("grp_member_assigns", "leader: runs {assignor} for the whole group", "리더: 그룹 전체에 {assignor} 실행"),
    ("grp_member_keeps", "cooperative: keeps its {n} partitions, keeps consuming", "cooperative: 파티션 {n}개를 유지하며 계속 소비"),
    ("grp_member_revoked", "eager: all partitions revoked, processing stopped", "eager: 모든 파티션 회수, 처리 중단"),
    ("grp_member_will_revoke", "eager: revokes everything at its next poll()", "eager: 다음 poll()에서 모두 회수"),
    ("group_protocol_label", "group.protocol", "group.protocol"),
    ("group_protocol.classic", "classic (JoinGroup / SyncGroup)", "classic (JoinGroup / SyncGroup)"),
    ("group_protocol.consumer", "consumer (KIP-848): not simulated", "consumer (KIP-848): 시뮬레이션하지 않음"),
    ("rebalance_protocol_label", "rebalance protocol", "리밸런싱 프로토콜"),
    ("rebalance_protocol.eager", "eager (range, roundrobin, sticky)", "eager (range, roundrobin, sticky)"),
    ("rebalance_protocol.cooperative", "cooperative (cooperative-sticky only)", "cooperative (cooperative-sticky만)"),
    ("protocol_hint", "Kafka 4 clients choose group.protocol: classic (JoinGroup / SyncGroup with a leader member, simulated here) or consumer (KIP-848, the broker assigns; not simulated yet). Within classic, the rebalance protocol follows partition.assignment.strategy: cooperative only when every assignor in the list supports it, so choosing one here picks a matching list.", "Kafka 4 클라이언트는 group.protocol을 고릅니다: classic(리더 멤버가 있는 JoinGroup / SyncGroup, 여기서 시뮬레이션) 또는 consumer(KIP-848, 브로커가 할당; 아직 시뮬레이션하지 않음). classic 안에서 리밸런싱 프로토콜은 partition.assignment.strategy를 따릅니다: 목록의 모든 할당자가 지원할 때만 cooperative이므로, 여기서 고르면 맞는 목록이 선택됩니다."),
    ("add_partition", "Add partition", "파티션 추가"),
];

/// Every message: [`MESSAGES`], then the other tables (timeline, event log, export, guided
/// scenarios, metrics, canvas, layout, refusals, the A/B comparison).
pub fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    MESSAGES
        .iter()
        .chain(time::TIME_MESSAGES)
        .chain(log::LOG_MESSAGES)
        .chain(export::EXPORT_MESSAGES)
        .chain(guide::GUIDE_MESSAGES)
        .chain(metrics::METRICS_MESSAGES)
        .chain(canvas::CANVAS_MESSAGES)
        .chain(layout::LAYOUT_MESSAGES)
        .chain(refusal::REFUSAL_MESSAGES)
        .chain(compare::COMPARE_MESSAGES)
}

/// The text for `key` in `lang`; the key itself if it is missing (a bug the tests catch).
pub fn t(lang: Lang, key: &str) -> &'static str {
    for (k, en, ko) in all() {
        if *k == key {
            return match lang {
                Lang::En => en,
                Lang::Ko => ko,
            };
        }
    }
    "?"
}

/// `t(lang, key)` with every `{name}` replaced by its value (placeholders not listed stay).
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(t(lang, key), args)
}

/// English plurals: `{s:name}` is "" when the value of `name` is 1 and "s" otherwise
/// (`{es:name}`: "es"), so that "{n} record{s:n}" reads "1 record" and "2 records".
fn plural_suffix(placeholder: &str, args: &[(&str, &str)]) -> Option<&'static str> {
    let (suffix, name) = placeholder.split_once(':')?;
    if suffix != "s" && suffix != "es" {
        return None;
    }
    let (_, value) = args.iter().find(|(n, _)| *n == name)?;
    Some(match (*value == "1", suffix) {
        (true, _) => "",
        (false, "s") => "s",
        (false, _) => "es",
    })
}

/// Replaces each `{name}` in `template` by its value from `args`, in one pass (a value that
/// itself contains `{...}` is not expanded again); `{s:name}` is an English plural ending.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_end = after.find('}');
        let arg = name_end.and_then(|e| args.iter().find(|(n, _)| *n == &after[..e]));
        let plural = name_end.and_then(|e| plural_suffix(&after[..e], args));
        match (name_end, arg, plural) {
            (Some(e), Some((_, v)), _) => {
                out.push_str(v);
                rest = &after[e + 1..];
            }
            (Some(e), None, Some(suffix)) => {
                out.push_str(suffix);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a template, sorted.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(n, _)| n))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_unique_keys() {
        let mut keys: Vec<&str> = all().map(|m| m.0).collect();
        for (k, en, ko) in all() {
            assert!(!en.is_empty() && !ko.is_empty(), "{k}");
        }
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate keys");
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        for (k, en, ko) in all() {
            assert_eq!(placeholders(en), placeholders(ko), "{k}");
        }
    }

    #[test]
    fn fill_replaces_named_placeholders_once() {
        assert_eq!(
            fill("{a} + {b} = {c}", &[("a", "1"), ("b", "{c}"), ("c", "3")]),
            "1 + {c} = 3"
        );
        assert_eq!(fill("no {x} here {", &[]), "no {x} here {");
        assert_eq!(tf(Lang::En, "acc_more", &[("n", "2")]), "+2 more");
        assert_eq!(fill("{n} record{s:n}", &[("n", "1")]), "1 record");
        assert_eq!(fill("{n} record{s:n}", &[("n", "2")]), "2 records");
        assert_eq!(fill("{n} batch{es:n}", &[("n", "0")]), "0 batches");
        assert_eq!(fill("{n} record{s:m}", &[("n", "1")]), "1 record{s:m}");
        assert_eq!(
            tf(Lang::En, "d_acked", &[("n", "1")]),
            " · 1 record acknowledged"
        );
        assert_eq!(
            tf(Lang::Ko, "d_acked", &[("n", "1")]),
            " · 레코드 1건 확인 응답"
        );
    }

    #[test]
    fn browser_language() {
        assert_eq!(Lang::from_browser("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_browser("ko"), Lang::Ko);
        assert_eq!(Lang::from_browser("en-US"), Lang::En);
        assert_eq!(Lang::from_browser("kok"), Lang::En);
    }

    #[test]
    fn index_html_keys_exist() {
        let html = include_str!("../../../web/index.html");
        for attr in ["data-i18n=\"", "data-i18n-label=\""] {
            for part in html.split(attr).skip(1) {
                let key = part.split('"').next().unwrap_or("");
                assert!(
                    all().any(|m| m.0 == key),
                    "index.html uses unknown key {key}"
                );
            }
        }
    }
}
