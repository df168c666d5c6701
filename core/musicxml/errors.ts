/** What a MusicXML file that cannot be read throws (besides XmlParseError and ZipFormatError). */
export class MusicXmlFormatError extends Error {
  override name = 'MusicXmlFormatError';
}
