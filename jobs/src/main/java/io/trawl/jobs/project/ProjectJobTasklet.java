package io.trawl.jobs.project;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.DefaultTransactionAttribute;
import org.springframework.transaction.interceptor.MatchAlwaysTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionInterceptor;

import io.trawl.jobs.rescan.ProgressMeter;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultProjection;

/**
 * {@code projectJobStep}: one partition, one rescan job, projected again from its events by the rescan's own
 * {@link ResultProjection}. The step's transaction holds the read of the events (PostgreSQL streams a result set only
 * inside one), while each write to the tables commits on its own: partitions running side by side upsert the same
 * samples' latest rows, and a transaction as long as a whole job would hold those rows' locks against the others.
 * Writing again what a killed run wrote is harmless, as every write is an idempotent upsert.
 */
final class ProjectJobTasklet implements Tasklet {

	/** The partition's step execution context: how many events it read. Its write count is the job's samples. */
	static final String EVENTS = "project.events";

	private final EventStore events;
	private final QueryTables tables;
	private final ProgressMeter progress;
	private final int threads;

	/**
	 * @param threads slices of each job projected at once ({@code trawl.projection.threads}); 0 means one here, not
	 * the store's default, as the partitions already project jobs side by side on every local thread (and on JDBC
	 * each slice holds two of the pool's connections)
	 */
	ProjectJobTasklet(EventStore events, QueryTables tables, PlatformTransactionManager transactionManager,
			ProgressMeter progress, int threads) {
		this.events = events;
		this.tables = eachCallCommitted(tables, transactionManager);
		this.progress = progress;
		this.threads = threads > 0 ? threads : 1;
	}

	private static QueryTables eachCallCommitted(QueryTables tables, PlatformTransactionManager transactionManager) {
		MatchAlwaysTransactionAttributeSource ownTransaction = new MatchAlwaysTransactionAttributeSource();
		ownTransaction.setTransactionAttribute(
				new DefaultTransactionAttribute(TransactionDefinition.PROPAGATION_REQUIRES_NEW));
		ProxyFactory proxy = new ProxyFactory(tables);
		proxy.addInterface(QueryTables.class);
		proxy.addAdvice(new TransactionInterceptor(transactionManager, ownTransaction));
		return (QueryTables) proxy.getProxy(ProjectJobTasklet.class.getClassLoader());
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
		StepExecution step = chunkContext.getStepContext().getStepExecution();
		long jobInstanceId = step.getExecutionContext().getLong(ProjectedJobsPartitioner.JOB_INSTANCE_ID);
		CountedEvents counted = new CountedEvents(events);
		JobSummary summary = new ResultProjection(counted, tables, threads).project(jobInstanceId);
		contribution.incrementWriteCount(summary.samples());
		step.getExecutionContext().putLong(EVENTS, counted.read.get());
		progress.of(step.getJobExecutionId()).doneSamples.incrementAndGet();
		return RepeatStatus.FINISHED;
	}

	/** The event store, counting the events a projection reads. */
	private static final class CountedEvents implements EventStore {

		private final EventStore events;
		private final AtomicLong read = new AtomicLong();

		CountedEvents(EventStore events) {
			this.events = events;
		}

		@Override
		public void forEach(long jobInstanceId, Consumer<ResultEvent> action) {
			events.forEach(jobInstanceId, event -> {
				read.incrementAndGet();
				action.accept(event);
			});
		}

		@Override
		public void forEachSlice(long jobInstanceId, int slice, int slices, Consumer<ResultEvent> action) {
			events.forEachSlice(jobInstanceId, slice, slices, event -> {
				read.incrementAndGet();
				action.accept(event);
			});
		}

		@Override
		public int defaultSlices() {
			return events.defaultSlices();
		}

		@Override
		public int append(List<ResultEvent> appended) {
			return events.append(appended);
		}

		@Override
		public long count(long jobInstanceId, EventKind kind) {
			return events.count(jobInstanceId, kind);
		}

		@Override
		public List<ResultEvent> find(long jobInstanceId, String sampleKey, EventKind kind) {
			return events.find(jobInstanceId, sampleKey, kind);
		}
	}
}
