package io.trawl.jobs.aws;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.rescan.SampleSources;
import io.trawl.readmodel.dynamodb.DynamoDbEventStore;
import io.trawl.readmodel.dynamodb.DynamoDbManifests;
import io.trawl.readmodel.dynamodb.DynamoDbQueryTables;
import io.trawl.readmodel.dynamodb.DynamoDbTableNames;
import io.trawl.readmodel.dynamodb.DynamoDbTables;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.s3.S3ClientSettings;
import io.trawl.worker.source.s3.S3Location;
import io.trawl.worker.source.s3.S3SampleSource;

/**
 * The aws profile's clients and adapters: samples from S3, events and query tables in DynamoDB. Rules from S3, launches
 * from SQS and CloudWatch metrics are wired in their own packages ({@code rules}, {@code launch}, {@code metrics}).
 * Region and per-service endpoints come from {@link AwsProperties}, credentials from the SDK's default provider
 * chain, so the same build runs on AWS or on emulators ({@code trawl aws-local}). The job repository stays JDBC.
 */
@Configuration(proxyBeanMethods = false)
@Profile("aws")
class AwsConfiguration {

	private static final Logger log = LoggerFactory.getLogger(AwsConfiguration.class);

	@Bean
	S3Client s3Client(AwsProperties aws) {
		return new S3ClientSettings(AwsClients.region(aws).id(), AwsProperties.Endpoints.uri(aws.endpoints().s3()),
				aws.pathStyle(), aws.maxAttempts()).build();
	}

	@Bean
	DynamoDbClient dynamoDbClient(AwsProperties aws) {
		return AwsClients.configure(DynamoDbClient.builder(), aws, aws.endpoints().dynamodb()).build();
	}

	@Bean
	SqsClient sqsClient(AwsProperties aws) {
		return AwsClients.configure(SqsClient.builder(), aws, aws.endpoints().sqs()).build();
	}

	/**
	 * The SQS listener containers' client ({@link io.trawl.jobs.queue.QueueConsumer}), configured as
	 * {@link #sqsClient}; lazy, so it is made only on a node that consumes a queue.
	 */
	@Bean
	@Lazy
	SqsAsyncClient sqsAsyncClient(AwsProperties aws) {
		return AwsClients.configure(SqsAsyncClient.builder(), aws, aws.endpoints().sqs()).build();
	}

	@Bean
	DynamoDbTableNames dynamoDbTableNames(AwsProperties aws, DynamoDbClient dynamoDb) {
		DynamoDbTableNames names = new DynamoDbTableNames(aws.tablePrefix());
		if (aws.createTables()) {
			DynamoDbTables.createIfMissing(dynamoDb, names);
			log.debug("DynamoDB tables {} are ready", names.all());
		}
		return names;
	}

	@Bean
	EventStore eventStore(DynamoDbClient dynamoDb, DynamoDbTableNames names) {
		return new DynamoDbEventStore(dynamoDb, names);
	}

	@Bean
	QueryTables queryTables(DynamoDbClient dynamoDb, DynamoDbTableNames names) {
		return new DynamoDbQueryTables(dynamoDb, names);
	}

	@Bean
	Manifests manifests(DynamoDbClient dynamoDb, DynamoDbTableNames names) {
		return new DynamoDbManifests(dynamoDb, names);
	}

	/** {@code s3://bucket/prefix} from S3; anything else is a local folder, as in the embedded profile. */
	@Bean
	SampleSources sampleSources(S3Client s3, TrawlProperties trawl, AwsProperties aws) {
		long inMemoryLimit = trawl.analysis().inMemoryLimit().toBytes();
		long maxSampleSize = aws.maxSampleSize().toBytes();
		return source -> source.startsWith("s3://")
				? new S3SampleSource(s3, S3Location.parse(source), inMemoryLimit, maxSampleSize)
				: new FolderSampleSource(Path.of(source), inMemoryLimit, trawl.sources().maxDepth());
	}
}
