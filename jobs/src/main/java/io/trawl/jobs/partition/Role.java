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

	/** Matches on a node that receives partitions from the partitions queue. */
	static final class ReceivesPartitions extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			return receivesPartitions(environment)
					? ConditionOutcome.match("trawl.role " + of(environment) + " receives partitions")
					: ConditionOutcome.noMatch("trawl.role " + of(environment) + " with trawl.partitioning="
							+ environment.getProperty("trawl.partitioning", "local") + " receives no partitions");
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
