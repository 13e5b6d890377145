package io.trawl.jobs.partition;

import java.util.Locale;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * What a node does, from {@code trawl.role} ({@code TRAWL_ROLE}): {@code manager} launches jobs and sends
 * partitions, {@code worker} only analyses partitions, {@code all} (the default) does both, as on one machine.
 */
public enum Role {

	ALL, MANAGER, WORKER;

	public static Role of(Environment environment) {
		String value = environment.getProperty("trawl.role", "all").trim();
		try {
			return Role.valueOf(value.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException e) {
			throw new IllegalStateException("trawl.role (TRAWL_ROLE) is '" + value + "'; use all, manager or worker.");
		}
	}

	static boolean remotePartitioning(Environment environment) {
		return "remote".equalsIgnoreCase(environment.getProperty("trawl.partitioning", "local").trim());
	}

	/** A node that receives partitions: a worker, or an all-in-one node with remote partitioning on. */
	static boolean receivesPartitions(Environment environment) {
		Role role = of(environment);
		return role == WORKER || (role == ALL && remotePartitioning(environment));
	}

	/**
	 * A long-running service: {@code trawl serve} (a web application) or {@code trawl worker} (no web server; it sets
	 * {@value #SERVICE}). Only a service receives partitions, recovers jobs or watches workers; a one-shot command never.
	 */
	static boolean isService(ConditionContext context) {
		return context.getEnvironment().getProperty(SERVICE, Boolean.class, false)
				|| context.getResourceLoader() instanceof org.springframework.web.context.WebApplicationContext
				|| context.getBeanFactory() != null && context.getBeanFactory().getRegisteredScope("session") != null;
	}

	/** Set by {@code trawl worker}, which runs without a web server. */
	public static final String SERVICE = "trawl.service";

	/** Matches on a node that receives partitions from the partitions queue. */
	static final class ReceivesPartitions extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			if (!isService(context)) {
				return ConditionOutcome.noMatch("a one-shot command receives no partitions");
			}
			return receivesPartitions(environment)
					? ConditionOutcome.match("trawl.role " + of(environment) + " receives partitions")
					: ConditionOutcome.noMatch("trawl.role " + of(environment) + " with trawl.partitioning="
							+ environment.getProperty("trawl.partitioning", "local") + " receives no partitions");
		}
	}

	/** Matches when this node sends {@code analyseStep}'s partitions to the queue: remote partitioning, not a worker. */
	static final class SendsPartitions extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			return remotePartitioning(environment)
					? ConditionOutcome.match("trawl.partitioning=remote")
					: ConditionOutcome.noMatch("trawl.partitioning is not remote");
		}
	}

	/** Matches on a manager service ({@code trawl serve --role manager}): it watches workers and resumes its jobs. */
	static final class ManagesCluster extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return isService(context) && of(context.getEnvironment()) == MANAGER
					? ConditionOutcome.match("a manager service")
					: ConditionOutcome.noMatch("not a manager service");
		}
	}

	/** Matches when some part of remote partitioning runs here, so an SQS client is needed. */
	static final class UsesPartitionQueue extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			return remotePartitioning(environment) || receivesPartitions(environment)
					? ConditionOutcome.match("the partitions queue is used")
					: ConditionOutcome.noMatch("the partitions queue is not used");
		}
	}
}
