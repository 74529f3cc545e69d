import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Match } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../functions/src/shared/table-design';

export interface StatefulResourcesProps {
  producerAccountIds: readonly string[];
  producerOrganizationId?: string;
}

/**
 * What holds data or identity across deployments: the table, the bus with its archive and
 * producer policy, and the producer token. Kept apart from the stateless parts so their
 * construct paths (and so their logical ids) never move when the stateless parts change.
 */
export class StatefulResources extends Construct {
  readonly table: Table;
  readonly bus: EventBus;
  readonly ingestTokenSecret: Secret;

  constructor(scope: Construct, id: string, props: StatefulResourcesProps) {
    super(scope, id);

    this.table = new Table(this, 'EventsTable', {
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_DESIGN.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_DESIGN.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    this.bus = new EventBus(this, 'EventsBus', {
      description: 'Signalbox: every accepted CDEvent and every event the instance produces',
    });
    this.bus.archive('EventsArchive', {
      description: 'Every event on the Signalbox bus, for replay after an outage',
      // Producers in other accounts stamp their own account id on events, so the archive
      // cannot filter on this account; an empty prefix on `source` matches every event.
      eventPattern: { source: Match.prefix('') },
      retention: Duration.days(30),
    });
    this.addProducerPolicy(props);

    this.ingestTokenSecret = new Secret(this, 'IngestTokenSecret', {
      description: 'Signalbox: bearer token producers send to POST /api/events',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(this.ingestTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The producer token is shared with external CI/CD tools by hand; rotation needs a producer-side handover and is not part of the walking skeleton. Rotate by updating the secret value.',
    });
  }

  private addProducerPolicy(props: StatefulResourcesProps): void {
    if (props.producerAccountIds.length > 0) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ProducerAccountsPutEvents',
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          principals: props.producerAccountIds.map((accountId) => new AccountPrincipal(accountId)),
        }),
      );
    }
    if (props.producerOrganizationId !== undefined) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ProducerOrganizationPutEvents',
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          principals: [new AnyPrincipal()],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.producerOrganizationId } },
        }),
      );
    }
  }
}
