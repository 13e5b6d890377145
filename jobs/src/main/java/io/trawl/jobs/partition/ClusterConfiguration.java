package io.trawl.jobs.partition;

import javax.sql.DataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import org.springframework.batch.core.repository.JobRepository;

import io.trawl.jobs.rescan.RescanLauncher;

/**
 * What every node of a cluster shares: the partitions' heartbeats (read by {@code trawl status} anywhere), and on a
 * manager service the watch that resumes its jobs after a restart and says when each job ends.
 */
@Configuration(proxyBeanMethods = false)
class ClusterConfiguration {

	@Bean
	PartitionHeartbeats partitionHeartbeats(DataSource dataSource) {
		return new PartitionHeartbeats(dataSource);
	}

	@Bean
	@Conditional(Role.ManagesCluster.class)
	ManagerWatch managerWatch(JobRepository jobRepository, RescanLauncher launcher) {
		return new ManagerWatch(jobRepository, launcher);
	}
}
