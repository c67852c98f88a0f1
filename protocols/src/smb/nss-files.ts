/** A Unix account for one Samba user. */
export interface UnixAccount {
  readonly name: string;
  readonly uid: number;
}

/**
 * The passwd and group files nss_wrapper serves to smbd and the Samba tools (NSS_WRAPPER_PASSWD,
 * NSS_WRAPPER_GROUP): root and nobody, one account per SMB user without a login shell or a home, and one group
 * holding them all. Sorted by uid, so the text is the same for the same accounts.
 */
export function renderNssFiles(
  accounts: readonly UnixAccount[],
  group: { readonly name: string; readonly gid: number },
): { passwd: string; group: string } {
  const sorted = [...accounts].sort((a, b) => a.uid - b.uid);
  const passwd = [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    ...sorted.map((a) => `${a.name}:x:${a.uid}:${group.gid}:BaluHost user:/nonexistent:/usr/sbin/nologin`),
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  ];
  const groups = [
    'root:x:0:',
    `${group.name}:x:${group.gid}:${sorted.map((a) => a.name).join(',')}`,
    'nogroup:x:65534:',
  ];
  return { passwd: `${passwd.join('\n')}\n`, group: `${groups.join('\n')}\n` };
}
