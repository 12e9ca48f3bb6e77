export type { EventProcessorContext, EventProcessorFactory, ClientEventProcessor } from './event-processor.js';
export { HttpEventSender, type HttpEventSenderOptions, type EventTransport } from './http-event-sender.js';
export {
  createEventProcessor,
  eventProcessorFactory,
  diagnosticConfiguration,
  nodePlatformData,
  type NodeEventProcessor,
  type LDEventOptions,
} from './factory.js';
