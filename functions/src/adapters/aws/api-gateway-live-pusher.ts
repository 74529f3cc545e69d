import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { LivePusher } from '../../core/ports/live-connections';

/**
 * Pushes frames through the WebSocket API's management endpoint (`PostToConnection`). API Gateway
 * buffers per connection and answers 410 `GoneException` for a connection that is closed or was
 * never there; that is `'gone'`. Other errors (throttling, permissions) are thrown.
 */
export class ApiGatewayLivePusher implements LivePusher {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  /** A client for the stage's callback URL, `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`. */
  static forEndpoint(endpoint: string): ApiGatewayLivePusher {
    return new ApiGatewayLivePusher(new ApiGatewayManagementApiClient({ endpoint }));
  }

  async send(connectionId: string, frame: string): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(frame) }));
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException || (error as Error).name === 'GoneException' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410) return 'gone';
      throw error;
    }
  }
}
