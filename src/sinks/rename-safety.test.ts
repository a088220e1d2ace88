import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OutputError } from '../errors.js';
import { checkRenameSafe, objectStorageMount, parseMountinfo } from './rename-safety.js';
import { tempDir } from '../../test/helpers/temp-dir.js';

// Lines as Linux writes them (man 5 proc); the last three are what Mountpoint for S3, gcsfuse and s3fs mounts look like.
const MOUNTINFO = [
  '22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw',
  '30 22 0:40 / /data rw,relatime shared:9 - nfs4 fs-1.efs.us-east-1.amazonaws.com:/ rw,vers=4.1',
  '41 22 0:52 / /mnt/s3 rw,nosuid,nodev,noatime shared:20 - fuse mountpoint-s3 rw,user_id=0,group_id=0',
  '42 22 0:53 / /mnt/gcs rw,nosuid,nodev shared:21 - fuse.gcsfuse my-bucket rw,user_id=0,group_id=0',
  '43 41 0:54 / /mnt/s3/local\\040disk rw shared:22 - ext4 /dev/sdb rw',
  '44 22 0:55 / /mnt/sshfs rw shared:23 - fuse.sshfs host:/srv rw',
].join('\n');

describe('outputs on object storage', () => {
  const mounts = parseMountinfo(MOUNTINFO);

  it('knows Mountpoint for S3 by its source and gcsfuse by its type', () => {
    assert.deepEqual(objectStorageMount(mounts, '/mnt/s3/scored'), { mountPoint: '/mnt/s3', what: 'Mountpoint for Amazon S3' });
    assert.deepEqual(objectStorageMount(mounts, '/mnt/gcs'), { mountPoint: '/mnt/gcs', what: 'gcsfuse (Cloud Storage)' });
  });

  it('lets real file systems be, also FUSE ones that rename, and a disk mounted inside a bucket mount', () => {
    for (const path of ['/data/scored', '/tmp', '/mnt/sshfs/x', '/mnt/s3/local disk/out', '/mnt/s3x']) assert.equal(objectStorageMount(mounts, path), undefined, path);
  });

  it('refuses an output there with exit 5, naming the mount and what to do instead', async () => {
    const dir = await tempDir();
    const table = join(dir, 'mountinfo');
    await writeFile(table, MOUNTINFO);
    await assert.rejects(checkRenameSafe(['/mnt/gcs/out/preds.csv'], table), (error: unknown) => {
      assert.ok(error instanceof OutputError);
      assert.equal(error.exitCode, 5);
      assert.match(error.message, /Output \/mnt\/gcs\/out\/preds\.csv is on \/mnt\/gcs, a gcsfuse \(Cloud Storage\) mount/);
      assert.match(error.hint ?? '', /copy the finished files to the bucket/);
      return true;
    });
    await checkRenameSafe(['/data/preds.csv', '-'], table);
    await checkRenameSafe(['/mnt/gcs/x.csv'], join(dir, 'no-such-table'));
  });
});
