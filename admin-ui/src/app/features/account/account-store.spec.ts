import { connectAddresses } from './account-store';

describe('connectAddresses', () => {
  it('points a plain-HTTP console at WebDAV over HTTPS on 8443', () => {
    expect(connectAddresses({ protocol: 'http:', hostname: 'nas.local', port: '8080' })).toEqual({
      webdavHttps: 'https://nas.local:8443/dav/home/',
      windowsUnc: '\\\\nas.local@SSL@8443\\dav\\home',
      linuxDavs: 'davs://nas.local:8443/dav/home/',
      rcloneUrl: 'https://nas.local:8443/dav/',
      smbWindows: '\\\\nas.local\\home',
      smbUrl: 'smb://nas.local/home',
    });
  });

  it("uses an HTTPS console's own port, and none for 443", () => {
    expect(connectAddresses({ protocol: 'https:', hostname: 'nas', port: '' }).webdavHttps).toBe(
      'https://nas/dav/home/',
    );
    expect(connectAddresses({ protocol: 'https:', hostname: 'nas', port: '' }).windowsUnc).toBe(
      '\\\\nas@SSL\\dav\\home',
    );
    expect(connectAddresses({ protocol: 'https:', hostname: 'nas', port: '9443' }).linuxDavs).toBe(
      'davs://nas:9443/dav/home/',
    );
  });
});
