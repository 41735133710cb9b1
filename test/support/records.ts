import type { DataSource } from 'typeorm';
import { BASE_URL, TestMirror, TestNode, TestRecord, type NodeMetadata, type RecordMetadata } from './fixtures.js';

export const recordUrl = (id: string) => `${BASE_URL}/records/${id}`;
export const nodeUrl = (id: string) => `${BASE_URL}/nodes/${id}`;

/** The inline copy of a node that the library stores: `fields` of its content, its id and its canonical URL. */
export const nodeCopy = (node: TestNode, fields: object = {}) => ({ ...fields, id: node.id, links: { self: nodeUrl(node.id) } });

export function createRecord(dataSource: DataSource, metadata: RecordMetadata): Promise<TestRecord> {
  return dataSource.getRepository(TestRecord).save(dataSource.getRepository(TestRecord).create({ metadata }));
}

export function createNode(dataSource: DataSource, metadata: NodeMetadata): Promise<TestNode> {
  return dataSource.getRepository(TestNode).save(dataSource.getRepository(TestNode).create({ metadata }));
}

/** A mirror: a local copy of the remote taxonomy term at its `links.self`. */
export function createMirror(dataSource: DataSource, metadata: TestMirror['metadata']): Promise<TestMirror> {
  return dataSource.getRepository(TestMirror).save(dataSource.getRepository(TestMirror).create({ metadata }));
}

export async function reload<T extends TestNode | TestRecord | TestMirror>(dataSource: DataSource, record: T): Promise<T> {
  return (await dataSource.getRepository(record.constructor as any).findOneByOrFail({ id: record.id })) as T;
}
