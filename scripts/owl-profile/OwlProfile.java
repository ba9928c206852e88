import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;

/**
 * Checks each ontology file given on the command line against the OWL 2 DL and OWL 2 RL profiles
 * with the OWL API's profile checkers, and prints every violation on one line:
 * {@code FILE: PROFILE: ViolationType: description}, sorted, then one summary line per file and
 * profile: {@code FILE: PROFILE: N violation(s)}.
 *
 * <p>Exit status: 0 when every file is in both profiles, 1 when there is a violation, 2 on usage
 * errors, 3 when a file cannot be read or parsed. Imports are never fetched.
 */
public final class OwlProfile {
  private OwlProfile() {}

  /**
   * The file with its format named by its extension, so that only that parser runs: tried in turn,
   * the OWL API would also try JSON-LD, whose library Debian's package does not depend on.
   */
  private static FileDocumentSource source(String path) {
    File file = new File(path);
    String name = path.toLowerCase(java.util.Locale.ROOT);
    OWLDocumentFormat format = null;
    if (name.endsWith(".ttl")) {
      format = new TurtleDocumentFormat();
    } else if (name.endsWith(".owl") || name.endsWith(".rdf")) {
      format = new RDFXMLDocumentFormat();
    }
    return format == null ? new FileDocumentSource(file) : new FileDocumentSource(file, format);
  }

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: OwlProfile FILE...");
      System.exit(2);
    }
    Profiles[] profiles = {Profiles.OWL2_DL, Profiles.OWL2_RL};
    int total = 0;
    for (String path : args) {
      OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
      manager.getOntologyConfigurator()
          .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
      OWLOntology ontology;
      try {
        ontology = manager.loadOntologyFromOntologyDocument(source(path));
      } catch (OWLOntologyCreationException e) {
        String message = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
        java.util.regex.Matcher where =
            java.util.regex.Pattern.compile("(Encountered .*? at line (\\d+), column (\\d+))")
                .matcher(message);
        if (where.find()) {
          System.err.println(
              path + ":" + where.group(2) + ":" + where.group(3) + ": cannot load: "
                  + where.group(1) + " (fix the file)");
        } else {
          System.err.println(path + ": cannot load: " + message.split(" Could not parse", 2)[0]);
        }
        System.exit(3);
        return;
      }
      for (Profiles p : profiles) {
        OWLProfile profile = p.getOWLProfile();
        OWLProfileReport report = profile.checkOntology(ontology);
        List<String> lines = new ArrayList<>();
        for (OWLProfileViolation v : report.getViolations()) {
          String text = v.toString().replaceAll("\\s+", " ").trim();
          lines.add(path + ": " + p.name() + ": " + v.getClass().getSimpleName() + ": " + text);
        }
        Collections.sort(lines);
        lines.forEach(System.out::println);
        System.out.println(path + ": " + p.name() + ": " + lines.size() + " violation(s)");
        total += lines.size();
      }
    }
    System.exit(total == 0 ? 0 : 1);
  }
}
