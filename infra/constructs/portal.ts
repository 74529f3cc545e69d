import { existsSync } from 'node:fs';
import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

export interface PortalProps {
  httpApi: IHttpApi;
  /** The static export of the portal; deployed only if the folder exists at synth time. */
  webOutDir: string;
}

// Next's static export writes `/inventory` as inventory.html (or inventory/index.html with
// trailingSlash); S3 behind Origin Access Control has no index documents, so map paths to files.
const REWRITE_TO_HTML = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    request.uri = uri + '.html';
  }
  return request;
}`;

/** The Next.js static portal in a private bucket behind CloudFront, with `/api/*` sent to the HTTP API. */
export class Portal extends Construct {
  readonly bucket: Bucket;
  readonly logsBucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment?: BucketDeployment;

  constructor(scope: Construct, id: string, props: PortalProps) {
    super(scope, id);

    this.logsBucket = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'SiteBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const rewrite = new CloudFrontFunction(this, 'RewriteToHtml', {
      comment: 'Maps extensionless portal paths to the static export\'s .html files',
      code: FunctionCode.fromInline(REWRITE_TO_HTML),
    });

    // apiEndpoint is https://<id>.execute-api.<region>.<suffix>; CloudFront needs the host alone.
    const apiDomain = Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint));

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Signalbox portal (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
        functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new HttpOrigin(apiDomain, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // With caching disabled this policy also forwards Authorization; Host must be the
          // API's own or API Gateway rejects the request.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Delivery teams use the portal from anywhere; access is controlled by sign-in (Cognito, issue 5), not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'No WAF yet: a CloudFront web ACL must live in us-east-1 and has a fixed monthly cost; the portal is static and the API is throttled at its stage. Revisit before exposing an instance publicly.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution uses the default *.cloudfront.net certificate, for which CloudFront does not allow setting the minimum viewer TLS version; a custom domain with its own certificate (TLSv1.2_2021) is a later issue.',
      },
    );

    if (existsSync(props.webOutDir)) {
      this.deployment = new BucketDeployment(this, 'SiteDeployment', {
        sources: [Source.asset(props.webOutDir)],
        destinationBucket: this.bucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        memoryLimit: 512,
      });
      this.acknowledgeDeploymentHandler();
    }
  }

  // BucketDeployment runs a CDK-owned singleton Lambda at stack level whose runtime, role and
  // grants we cannot change; acknowledge exactly its findings there.
  private acknowledgeDeploymentHandler(): void {
    const stack = Stack.of(this);
    const handlers = stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    const qualifier =
      (stack.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const siteBucketId = stack.resolve((this.bucket.node.defaultChild as CfnBucket).logicalId) as string;
    const owned = 'CDK-owned BucketDeployment handler (copies web/out from the CDK asset bucket into the site bucket, then invalidates CloudFront)';
    for (const handler of handlers) {
      Validations.of(handler).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: `${owned}: its role is created by CDK with the basic execution managed policy; it only writes its own logs.`,
        },
        {
          id: 'AwsSolutions-L1',
          reason: `${owned}: CDK pins the handler's Python runtime and upgrades it with aws-cdk-lib; it runs only during deployments.`,
        },
        ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${owned}: CDK's grantRead/grantReadWrite use ${action}, limited to the asset bucket and the site bucket.`,
        })),
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
          reason: `${owned}: reads the uploaded web/out archive from the bootstrap asset bucket; object keys are content hashes known only at publish time.`,
        },
        {
          id: `AwsSolutions-IAM5[Resource::<${siteBucketId}.Arn>/*]`,
          reason: `${owned}: replaces every object of the site bucket with the new build (prune), so it needs all keys of that one bucket.`,
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: `${owned}: cloudfront:CreateInvalidation/GetInvalidation are granted on "*" by CDK; the handler invalidates only the portal distribution it is given.`,
        },
      );
    }
  }
}
