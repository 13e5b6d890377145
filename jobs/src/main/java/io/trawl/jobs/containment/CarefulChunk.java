package io.trawl.jobs.containment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.worker.source.SampleRef;

/**
 * The first chunk of a partition run that follows an unfinished one (a restart, or a worker taking the partition
 * over). A sample that kills the JVM, as a SIGSEGV in libyara would, was necessarily in the chunk that was running
 * then, which is this chunk now. So before analysing each of its samples, this writes an ATTEMPT marker for the
 * sample's location, committed on its own (not with the chunk, which a crash rolls back), and after the analysis a
 * second marker saying it is done. A location with a started marker and no done marker from an earlier run is where
 * that run's process died; {@link CrashEvidence} tells whether it crashed there or was killed from outside.
 * <p>
 * Careful samples are analysed one at a time in the JVM, with every other analysis held back meanwhile, so a crash
 * during one can only be that sample's doing (or an outside kill). Outside the careful chunk, nothing is written and
 * analyses only share a read lock.
 */
public final class CarefulChunk {

	private static final Logger log = LoggerFactory.getLogger(CarefulChunk.class);
	private static final JsonMapper JSON = JsonMapper.builder().build();
	/** JVM-wide: a crash takes the whole process, so "the only sample in flight" must hold across partitions. */
	private static final ReadWriteLock IN_FLIGHT = new ReentrantReadWriteLock();

	/** The earlier runs (their job execution ids) whose process died while analysing one location. */
	public record Earlier(List<Long> deaths) {
		public static final Earlier NONE = new Earlier(List.of());
	}

	private final EventStore events;
	private final CrashEvidence evidence;
	private final TransactionTemplate ownTransaction;
	private final long jobInstanceId;
	private final long jobExecutionId;
	private final String attempt;
	private final String worker;
	private int remaining;

	/**
	 * @param run this run of the partition, from 1 ({@link PartitionRuns}); only a run above 1 is careful
	 * @param samples how many samples are careful: the chunk size
	 * @param evidence tells a crash from a kill from outside, which is not held against the sample
	 */
	public CarefulChunk(EventStore events, PlatformTransactionManager transactionManager, long jobInstanceId,
			long jobExecutionId, long stepExecutionId, int run, int samples, CrashEvidence evidence) {
		this.events = events;
		this.evidence = evidence;
		this.ownTransaction = new TransactionTemplate(transactionManager);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.jobInstanceId = jobInstanceId;
		this.jobExecutionId = jobExecutionId;
		this.attempt = jobExecutionId + "." + stepExecutionId + "." + run;
		this.worker = CrashEvidence.hostName() + ":" + ProcessHandle.current().pid();
		this.remaining = run > 1 ? samples : 0;
		if (remaining > 0) {
			log.info("Partition run {} follows an unfinished one: its first {} samples are analysed one at a time, "
					+ "with attempt markers", attempt, samples);
		}
	}

	/** A partition run that is not careful: the first run, or a processor without a job around it (tests). */
	public static CarefulChunk off() {
		return new CarefulChunk();
	}

	private CarefulChunk() {
		this.events = null;
		this.evidence = null;
		this.ownTransaction = null;
		this.jobInstanceId = 0;
		this.jobExecutionId = 0;
		this.attempt = "";
		this.worker = "";
		this.remaining = 0;
	}

	public boolean active() {
		return remaining > 0;
	}

	/**
	 * Runs {@code analysis} for one location, told which earlier runs died on it. While careful, it runs alone in the
	 * JVM between a started and a done marker; otherwise alongside the other partitions, told of no deaths.
	 * Called by one partition's thread only, as a chunk's processor is.
	 */
	public <T> T analyse(SampleRef ref, Function<Earlier, T> analysis) {
		if (remaining <= 0) {
			Lock shared = IN_FLIGHT.readLock();
			shared.lock();
			try {
				return analysis.apply(Earlier.NONE);
			}
			finally {
				shared.unlock();
			}
		}
		remaining--;
		Lock alone = IN_FLIGHT.writeLock();
		alone.lock();
		try {
			String key = ResultEvent.locationKey(ref.location());
			Earlier earlier = ownTransaction.execute(status -> {
				Earlier found = earlier(key, ref.location());
				events.append(List.of(marker(ref, key, false)));
				return found;
			});
			if (!earlier.deaths().isEmpty()) {
				log.warn("{} was being analysed when the worker process of job execution(s) {} died", ref.location(),
						earlier.deaths());
			}
			try {
				return analysis.apply(earlier);
			}
			finally {
				// reached unless the process died: an exception is the analysis failing, not the sample killing it
				ownTransaction.executeWithoutResult(status -> events.append(List.of(marker(ref, key, true))));
			}
		}
		finally {
			alone.unlock();
		}
	}

	/**
	 * Earlier runs with a started marker for this location and no done marker, whose process died of a crash: they
	 * died on it. One stopped from outside (no crash log on this host) is only logged.
	 */
	private Earlier earlier(String key, String location) {
		String prefix = jobInstanceId + "/" + key + "/" + EventKind.ATTEMPT + "/";
		Map<String, ResultEvent> started = new TreeMap<>();
		Set<String> done = new HashSet<>();
		for (ResultEvent marker : events.find(jobInstanceId, key, EventKind.ATTEMPT)) {
			String rest = marker.eventId().substring(prefix.length());
			if (rest.endsWith("/done")) {
				done.add(rest.substring(0, rest.length() - "/done".length()));
			}
			else {
				started.put(rest, marker);
			}
		}
		started.keySet().removeAll(done);
		started.remove(attempt);
		List<Long> deaths = new ArrayList<>();
		for (ResultEvent marker : started.values()) {
			String worker = JSON.readTree(marker.payload()).path("worker").asString(null);
			if (evidence.diedOfCrash(worker, marker.recordedAt())) {
				deaths.add(marker.jobExecutionId());
			}
			else {
				log.warn("{} was being analysed when the worker process {} of job execution {} stopped without a "
						+ "crash log: it was killed from outside, which is not held against the sample", location,
						worker, marker.jobExecutionId());
			}
		}
		deaths.sort(null);
		return new Earlier(List.copyOf(deaths));
	}

	private ResultEvent marker(SampleRef ref, String key, boolean done) {
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("location", ref.location());
		payload.put("attempt", attempt);
		payload.put("worker", worker);
		payload.put("phase", done ? "done" : "started");
		return new ResultEvent(ResultEvent.attemptId(jobInstanceId, key, attempt, done), jobInstanceId, jobExecutionId,
				key, EventKind.ATTEMPT, Instant.now(), JSON.writeValueAsString(payload));
	}
}
