/* netconf.c: which network interfaces a Linux guest's configuration
 * names, and the name each source NIC had.
 *
 * Pure: the caller reads the files through libguestfs and hands over
 * their text.  It only reads configurations to learn names and MAC
 * addresses; it must never be used to rewrite one: ferry keeps every
 * configuration as it is and pins the old names instead (linux.c), so
 * that each style keeps working whatever it can express.
 */
#include <stdio.h>
#include <string.h>

#include "convert/convert_internal.h"
#include "util/ascii.h"
#include "util/error.h"
#include "vm/vm.h"

const struct convert_netconf_style convert_netconf_styles[] = {
  { "ifupdown", "/etc/network/interfaces" },
  { "ifupdown", "/etc/network/interfaces.d/*" },
  { "networkd", "/etc/systemd/network/*.network" },
  { "networkmanager", "/etc/NetworkManager/system-connections/*" },
  { "netplan", "/etc/netplan/*.yaml" },
  { "ifcfg", "/etc/sysconfig/network-scripts/ifcfg-*" },
  { "wicked", "/etc/sysconfig/network/ifcfg-*" },
};
const size_t convert_netconf_nr_styles =
  sizeof convert_netconf_styles / sizeof convert_netconf_styles[0];

static inline bool
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

/* Add (name, mac) to v unless name is empty, "lo", a glob, too long, or
 * there already; a mac given for a name that is there fills it in. */
static int
iface_add (convert_iface_vector *v, const char *style, const char *name,
           size_t nlen, const char *mac, size_t mlen)
{
  struct convert_iface iface = { .style = style };
  char macbuf[32];

  if (nlen == 0 || nlen >= sizeof iface.name
      || (nlen == 2 && strncmp (name, "lo", 2) == 0)
      || memchr (name, '*', nlen) || memchr (name, '?', nlen)
      || memchr (name, '[', nlen))
    return 0;
  memcpy (iface.name, name, nlen);
  if (mac && mlen > 0 && mlen < sizeof macbuf) {
    snprintf (macbuf, sizeof macbuf, "%.*s", (int) mlen, mac);
    if (!vm_mac_normalize (macbuf, iface.mac))
      iface.mac[0] = '\0';
  }
  for (size_t i = 0; i < v->len; i++)
    if (strcmp (v->ptr[i].name, iface.name) == 0) {
      if (v->ptr[i].mac[0] == '\0')
        memcpy (v->ptr[i].mac, iface.mac, sizeof iface.mac);
      return 0;
    }
  return convert_iface_vector_append (v, iface);
}

/* The words of a line, one at a time: *p is moved past the word. */
static const char *
next_word (const char **p, const char *end, size_t *len)
{
  const char *s;

  while (*p < end && is_blank (**p))
    ++*p;
  s = *p;
  while (*p < end && !is_blank (**p))
    ++*p;
  *len = *p - s;
  return *len ? s : NULL;
}

/* Lines of text: for (line = text; next_line (&line, &len, &end); ) */
static bool
next_line (const char **line, const char **end)
{
  if (*end) {
    if (**end == '\0')
      return false;
    *line = *end + 1;
  }
  *end = *line + strcspn (*line, "\n");
  return true;
}

#define FOREACH_LINE(text, line, end) \
  for (const char *line = (text), *end = NULL; next_line (&line, &end); )

/* /etc/network/interfaces: "auto", "allow-*" and "iface" name
 * interfaces ("ens192:1" is an alias of ens192); "hwaddress" in an iface
 * stanza its MAC. */
static int
parse_ifupdown (const char *style, const char *text, convert_iface_vector *v)
{
  char current[64] = "";

  FOREACH_LINE (text, line, end) {
    const char *p = line, *w;
    size_t len;

    w = next_word (&p, end, &len);
    if (w == NULL || *w == '#')
      continue;
    if ((len == 4 && strncmp (w, "auto", 4) == 0)
        || ascii_prefix (w, "allow-") || (len == 5 && !strncmp (w, "iface", 5))) {
      bool iface = w[0] == 'i';
      const char *n;
      size_t nlen;
      while ((n = next_word (&p, end, &nlen)) != NULL) {
        const char *colon = memchr (n, ':', nlen);
        size_t base = colon ? (size_t) (colon - n) : nlen;
        if (iface_add (v, style, n, base, NULL, 0) == -1)
          return -1;
        if (iface) {
          snprintf (current, sizeof current, "%.*s", (int) base, n);
          break;
        }
      }
    }
    else if (len == 9 && strncmp (w, "hwaddress", 9) == 0 && current[0]) {
      const char *m = next_word (&p, end, &len);
      if (m && len == 5 && strncmp (m, "ether", 5) == 0)
        m = next_word (&p, end, &len);
      if (m && iface_add (v, style, current, strlen (current), m, len) == -1)
        return -1;
    }
  }
  return 0;
}

/* An INI file's KEY=VALUE in [section]: the value (trimmed) or NULL. */
static const char *
ini_value (const char *text, const char *section, const char *key,
           size_t *vlen)
{
  bool in = false;
  size_t slen = strlen (section), klen = strlen (key);

  FOREACH_LINE (text, line, end) {
    const char *p = line, *e = end;
    while (p < e && is_blank (*p))
      p++;
    while (e > p && is_blank (e[-1]))
      e--;
    if (p < e && *p == '[') {
      in = (size_t) (e - p) == slen + 2 && strncmp (p + 1, section, slen) == 0
        && p[slen + 1] == ']';
      continue;
    }
    if (in && (size_t) (e - p) > klen && strncmp (p, key, klen) == 0) {
      const char *q = p + klen;
      while (q < e && is_blank (*q))
        q++;
      if (q < e && *q == '=') {
        q++;
        while (q < e && is_blank (*q))
          q++;
        *vlen = e - q;
        return q;
      }
    }
  }
  return NULL;
}

/* systemd-networkd .network: [Match] Name= (the first of a list) and
 * MACAddress=. */
static int
parse_networkd (const char *style, const char *text, convert_iface_vector *v)
{
  size_t nlen = 0, mlen = 0;
  const char *name = ini_value (text, "Match", "Name", &nlen);
  const char *mac = ini_value (text, "Match", "MACAddress", &mlen);

  if (name)
    nlen = strcspn (name, " \t") < nlen ? strcspn (name, " \t") : nlen;
  if (mac)
    mlen = strcspn (mac, " \t") < mlen ? strcspn (mac, " \t") : mlen;
  return name ? iface_add (v, style, name, nlen, mac, mlen) : 0;
}

/* NetworkManager keyfile: [connection] interface-name=, [ethernet]
 * mac-address= (older versions end it with ';'). */
static int
parse_networkmanager (const char *style, const char *text,
                      convert_iface_vector *v)
{
  size_t nlen = 0, mlen = 0;
  const char *name = ini_value (text, "connection", "interface-name", &nlen);
  const char *mac = ini_value (text, "ethernet", "mac-address", &mlen);

  if (mac && mlen > 0 && mac[mlen - 1] == ';')
    mlen--;
  return name ? iface_add (v, style, name, nlen, mac, mlen) : 0;
}

/* ifcfg-NAME (Red Hat, SUSE's wicked): DEVICE= (else the file's NAME)
 * and HWADDR=, quoted or not. */
static const char *
shell_value (const char *text, const char *key, size_t *vlen)
{
  size_t klen = strlen (key);

  FOREACH_LINE (text, line, end) {
    const char *p = line;
    while (p < end && is_blank (*p))
      p++;
    if ((size_t) (end - p) > klen && strncmp (p, key, klen) == 0
        && p[klen] == '=') {
      const char *q = p + klen + 1, *e = end;
      while (e > q && is_blank (e[-1]))
        e--;
      if (e - q >= 2 && (*q == '"' || *q == '\'') && e[-1] == *q) {
        q++;
        e--;
      }
      *vlen = e - q;
      return q;
    }
  }
  return NULL;
}

static int
parse_ifcfg (const char *style, const char *file_name, const char *text,
             convert_iface_vector *v)
{
  size_t nlen = 0, mlen = 0;
  const char *name = shell_value (text, "DEVICE", &nlen);
  const char *mac = shell_value (text, "HWADDR", &mlen);

  if (name == NULL && strncmp (file_name, "ifcfg-", 6) == 0) {
    name = file_name + 6;
    nlen = strlen (name);
  }
  return name ? iface_add (v, style, name, nlen, mac, mlen) : 0;
}

/* The indentation of a YAML line, or -1 for a blank or comment line. */
static int
yaml_indent (const char *line, const char *end)
{
  const char *p = line;

  while (p < end && *p == ' ')
    p++;
  return p == end || *p == '#' ? -1 : (int) (p - line);
}

/* The value of "key: value" on a YAML line at p, or NULL. */
static const char *
yaml_value (const char *p, const char *end, const char *key, size_t *vlen)
{
  size_t klen = strlen (key);
  const char *e = end;

  if ((size_t) (end - p) < klen + 1 || strncmp (p, key, klen) != 0
      || p[klen] != ':')
    return NULL;
  p += klen + 1;
  while (p < end && *p == ' ')
    p++;
  e = p + strcspn (p, " #\n");
  if (e > end)
    e = end;
  if (e - p >= 2 && (*p == '"' || *p == '\'') && e[-1] == *p) {
    p++;
    e--;
  }
  *vlen = e - p;
  return p;
}

/* netplan: each key under "ethernets:" is an interface, unless it has a
 * "match:" (then its set-name:, or match's name:), with match's
 * macaddress:.  Enough YAML for what netplan files hold: block mappings,
 * two-space or any indentation, no flow style. */
static int
parse_netplan (const char *style, const char *text, convert_iface_vector *v)
{
  int eth_indent = -1, child_indent = -1;
  char key[64] = "", name[64] = "", mac[32] = "";
  bool matched = false;

#define FLUSH()                                                         \
  do {                                                                  \
    const char *n_ = matched ? name : key;                              \
    if (key[0] && iface_add (v, style, n_, strlen (n_), mac,            \
                             strlen (mac)) == -1)                       \
      return -1;                                                        \
    key[0] = name[0] = mac[0] = '\0';                                   \
    matched = false;                                                    \
  } while (0)

  FOREACH_LINE (text, line, end) {
    int indent = yaml_indent (line, end);
    const char *p = line + (indent > 0 ? indent : 0), *val;
    size_t len;

    if (indent < 0)
      continue;
    if (eth_indent >= 0 && indent <= eth_indent) {
      FLUSH ();
      eth_indent = child_indent = -1;
    }
    if (eth_indent < 0) {
      if (yaml_value (p, end, "ethernets", &len) && len == 0)
        eth_indent = indent;
      continue;
    }
    if (child_indent < 0)
      child_indent = indent;
    if (indent == child_indent) {
      FLUSH ();
      len = strcspn (p, ":\n");
      if (p + len < end && len < sizeof key)
        snprintf (key, sizeof key, "%.*s", (int) len, p);
    }
    else if ((val = yaml_value (p, end, "match", &len)) && len == 0)
      matched = true;
    else if ((val = yaml_value (p, end, "macaddress", &len))
             && len < sizeof mac)
      snprintf (mac, sizeof mac, "%.*s", (int) len, val);
    else if (((val = yaml_value (p, end, "set-name", &len))
              || (matched && !name[0]
                  && (val = yaml_value (p, end, "name", &len))))
             && len < sizeof name)
      snprintf (name, sizeof name, "%.*s", (int) len, val);
  }
  FLUSH ();
#undef FLUSH
  return 0;
}

int
convert_netconf_parse (const char *style, const char *file_name,
                       const char *text, convert_iface_vector *v)
{
  if (strcmp (style, "ifupdown") == 0)
    return parse_ifupdown (style, text, v);
  if (strcmp (style, "networkd") == 0)
    return parse_networkd (style, text, v);
  if (strcmp (style, "networkmanager") == 0)
    return parse_networkmanager (style, text, v);
  if (strcmp (style, "netplan") == 0)
    return parse_netplan (style, text, v);
  if (strcmp (style, "ifcfg") == 0 || strcmp (style, "wicked") == 0)
    return parse_ifcfg (style, file_name, text, v);
  error_set ("convert: unknown network configuration style '%s'", style);
  return -1;
}

const char *
convert_nic_old_name (const struct convert_nic *nics, size_t nr_nics,
                      size_t i, const convert_iface_vector *ifaces,
                      char name[64])
{
  char mac[VM_MAC_SIZE];

  if (nics[i].mac && vm_mac_normalize (nics[i].mac, mac))
    for (size_t j = 0; j < ifaces->len; j++)
      if (strcmp (ifaces->ptr[j].mac, mac) == 0) {
        snprintf (name, 64, "%s", ifaces->ptr[j].name);
        return "the configured interface with its MAC";
      }
  if (nics[i].pci_slot != 0) {
    snprintf (name, 64, "ens%u", nics[i].pci_slot);
    return "its VMware PCI slot";
  }
  if (nr_nics == 1 && ifaces->len == 1) {
    snprintf (name, 64, "%s", ifaces->ptr[0].name);
    return "the one configured interface";
  }
  return NULL;
}
